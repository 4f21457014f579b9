// The page's text panels: status, the tooltip, the selection's details and the
// violations. Every text goes in as a text node: names come from users.
import { DIMENSIONS, share } from "./datacentre.js";

// `el("li", {class: "rule", "data-state": "met"}, "text", child...)`
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

export function showStatus(element, status) {
  if (status.down) {
    element.dataset.state = "down";
    element.textContent = `unavailable: ${status.down}`;
    return;
  }
  const ok = status.engine.state === "ok" && status.database.state === "ok";
  element.dataset.state = ok ? "ok" : "down";
  element.textContent = `engine ${status.engine.state} (${status.engine.mode}) · database `
    + `${status.database.state} (${status.database.backend})`;
}

function amount(dimension, value) {
  if (dimension === "memory_mb") return `${(value / 1024).toFixed(value % 1024 ? 1 : 0)} GB`;
  if (dimension === "disk_gb") return `${value} GB`;
  return String(value);
}

function figures(host) {
  const rows = Object.entries(DIMENSIONS).map(([dimension, label]) => el("tr", {},
    el("td", {}, label),
    el("td", {}, `${amount(dimension, host.used[dimension])} of ${amount(dimension, host.capacity[dimension])}`),
    el("td", {}, `${Math.round(share(host, dimension) * 100)}%`)));
  const uplink = host.uplink_mbps === null ? "unlimited" : `${host.uplink_mbps} Mbps`;
  rows.push(el("tr", {}, el("td", {}, "uplink"),
    el("td", {}, `${host.bandwidth_used_mbps} Mbps of ${uplink}`), el("td", {})));
  return el("table", {}, ...rows);
}

function list(title, items) {
  if (!items.length) return el("div", {}, `${title}: none`);
  return el("div", {}, `${title}:`, el("ul", {}, ...items.map((item) => el("li", {}, item))));
}

// The tooltip's content for a host or a storage backend.
export function describe(model, kind, name) {
  const placed = (filter) => [...model.placements.values()].filter(filter)
    .map((p) => `${p.name} (plan ${model.planName(p.plan_id)})`);
  if (kind === "backend") {
    return [el("h3", {}, name), el("div", {}, "storage backend"),
      list("volumes", placed((p) => p.location === name))];
  }
  const host = model.hosts.get(name);
  const where = `rack ${host.rack} · cluster ${host.cluster} · zone ${host.availability_zone}`;
  return [
    el("h3", {}, host.enabled ? host.name : `${host.name} — disabled`),
    el("div", {}, where),
    host.aggregates.length ? el("div", {}, `aggregates: ${host.aggregates.join(", ")}`) : null,
    figures(host),
    list("placements", host.placements.map((orchId) => {
      const placement = model.placements.get(orchId);
      return placement ? `${placement.name} (plan ${model.planName(placement.plan_id)})` : orchId;
    })),
    list("groups", host.groups),
  ].filter(Boolean);
}

function ruleItem(name, kind, messages) {
  const state = messages.length ? "violated" : "met";
  return el("li", { class: "rule", "data-group": name, "data-state": state },
    `${name}${kind ? ` — ${kind}` : ""}: ${state}`,
    messages.length ? el("ul", {}, ...messages.map((m) => el("li", {}, m))) : null);
}

function kindOf(group) {
  if (!group) return "in the stack";
  const enforcement = group.enforcement ? `, ${group.enforcement}` : "";
  return `${group.type}(${group.level})${enforcement}`;
}

// The details of a plan: where each server and volume is, and its rules.
export function planDetails(model, plan) {
  const rows = model.placementsOf(plan).sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((placed) => el("tr", { "data-orch-id": placed.orchId },
      el("td", {}, placed.name), el("td", { class: "location" }, placed.location)));
  const rules = model.rulesOfPlan(plan);
  const problems = model.violationsOfPlan(plan);
  return [
    el("h3", {}, `plan ${plan.name || "(no name)"}`),
    el("div", { class: "hint" }, `stack ${plan.stack_id}`),
    el("table", { class: "placements" },
      el("thead", {}, el("tr", {}, el("th", {}, "server or volume"), el("th", {}, "location"))),
      el("tbody", {}, ...rows)),
    el("h4", {}, "Rules (its groups)"),
    rules.length ? el("ul", { class: "rules" },
      ...rules.map((rule) => ruleItem(rule.name, kindOf(rule.group), rule.violated)))
      : el("p", { class: "hint" }, "no group rules"),
    problems.length ? list("violations", problems.map((v) => `${v.placement.name}: ${v.message}`))
      : el("p", { class: "rule", "data-state": "met" }, "no violations"),
  ];
}

export function groupDetails(model, group) {
  const hosts = model.hostsOfGroup(group.name);
  const messages = model.violationsOfGroup(group.name).map((v) => v.message);
  return [
    el("h3", {}, `group ${group.name}`),
    group.description ? el("div", { class: "hint" }, group.description) : null,
    el("ul", { class: "rules" }, ruleItem(group.name, kindOf(group), messages)),
    list("hosts with its servers", hosts),
    list("member projects", group.members || []),
  ].filter(Boolean);
}

export function showViolations(list_, count, model) {
  count.textContent = String(model.violations.length);
  count.classList.toggle("some", model.violations.length > 0);
  if (!model.violations.length) {
    list_.replaceChildren(el("li", { class: "hint" }, "none: every placed server and volume keeps its rules"));
    return;
  }
  list_.replaceChildren(...model.violations.map((found) => {
    const who = found.placement
      ? `${found.placement.name} (plan ${model.planName(found.placement.plan_id)}, on ${found.placement.location})`
      : found.key;
    return el("li", { class: "violation", "data-resource": found.key },
      el("strong", {}, who), ` ${found.type}`, el("span", { class: "reason" }, found.message));
  }));
}
