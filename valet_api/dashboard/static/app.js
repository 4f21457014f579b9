// The dashboard: loads a snapshot of the v1 API, draws it, and keeps the user's
// choices (colour dimension, selected plan or group, dry-run result) across reloads.
import { AuthNeeded, setToken, snapshot, status, token } from "./api.js";
import { legend, mark, render } from "./datacentre.js";
import { dryRun, showResult } from "./dryrun.js";
import { Model } from "./model.js";
import {
  describe, el, groupDetails, planDetails, showStatus, showViolations,
} from "./panels.js";

const page = {
  svg: document.getElementById("datacentre"),
  metric: document.getElementById("metric"),
  selection: document.getElementById("selection"),
  details: document.getElementById("selection-details"),
  tooltip: document.getElementById("tooltip"),
  loadError: document.getElementById("load-error"),
  authMessage: document.getElementById("auth-message"),
};
const state = { model: null, proposed: new Set() };

function fail(error) {
  if (error instanceof AuthNeeded) {
    page.authMessage.hidden = false;
    page.authMessage.textContent = token()
      ? `the token was refused (${error.message})` : "this Valet asks for a Keystone token";
    document.getElementById("token").focus();
  }
  page.loadError.hidden = false;
  page.loadError.textContent = `Could not read the API: ${error.message}`;
  document.body.dataset.loaded = "error";
}

async function load() {
  document.body.dataset.loaded = "loading";
  try {
    const [data, health] = await Promise.all([snapshot(), status()]);
    state.model = new Model(data);
    showStatus(document.getElementById("status"), health);
  } catch (error) {
    fail(error);
    return;
  }
  page.authMessage.hidden = true;
  page.loadError.hidden = state.model.refused.length === 0;
  page.loadError.textContent = `Not shown (the policy refused): ${state.model.refused.join("; ")}`;
  fillSelection();
  draw();
  showViolations(document.getElementById("violations"),
    document.getElementById("violation-count"), state.model);
  document.body.dataset.loaded = "done";
}

function option(value, text) {
  return el("option", { value }, text);
}

// The plans and groups to choose from; the chosen one stays chosen if it still exists.
function fillSelection() {
  const chosen = page.selection.value;
  const plans = [...state.model.plans.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  document.getElementById("plan-options").replaceChildren(...plans.map((plan) =>
    option(`plan:${plan.id}`, `${plan.name || "(no name)"} — stack ${plan.stack_id}`)));
  const groups = [...state.model.groups.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  document.getElementById("group-options").replaceChildren(...groups.map((group) =>
    option(`group:${group.name}`, `${group.name} — ${group.type}(${group.level})`)));
  page.selection.value = [...page.selection.options].some((o) => o.value === chosen) ? chosen : "";
}

function draw() {
  render(page.svg, {
    hosts: [...state.model.hosts.values()],
    backends: state.model.backends(state.proposed),
    dimension: page.metric.value,
    hover: showTooltip,
    leave: hideTooltip,
  });
  legend(document.getElementById("legend"), page.metric.value);
  mark(page.svg, "proposed", state.proposed);
  select();
}

// Highlights the chosen plan's or group's locations and shows its details.
function select() {
  const [kind, id] = splitChoice(page.selection.value);
  const model = state.model;
  let locations = new Set();
  if (kind === "plan" && model.plans.has(id)) {
    const plan = model.plans.get(id);
    locations = new Set(model.placementsOf(plan).map((placed) => placed.location));
    page.details.replaceChildren(...planDetails(model, plan));
  } else if (kind === "group" && model.groups.has(id)) {
    locations = new Set(model.hostsOfGroup(id));
    page.details.replaceChildren(...groupDetails(model, model.groups.get(id)));
  } else {
    page.details.replaceChildren(el("p", { class: "hint" },
      "Choose a plan or a group to see where its servers and volumes are and whether its rules hold."));
  }
  page.svg.classList.toggle("selecting", kind !== "");
  mark(page.svg, "highlighted", locations);
  const violated = new Set(model.violations.filter((v) => v.placement)
    .map((v) => v.placement.location));
  mark(page.svg, "violated", violated);
}

function splitChoice(value) {
  const at = value.indexOf(":");
  return at < 0 ? ["", ""] : [value.slice(0, at), value.slice(at + 1)];
}

function showTooltip(kind, name, event) {
  const frame = page.svg.parentNode.getBoundingClientRect();
  page.tooltip.replaceChildren(...describe(state.model, kind, name));
  page.tooltip.hidden = false;
  page.tooltip.dataset.for = name;
  // NOTE: CSSOM properties, which the CSP's style-src allows (a style attribute it would not).
  page.tooltip.style.left = `${event.clientX - frame.left + 14}px`;
  page.tooltip.style.top = `${event.clientY - frame.top + 14}px`;
  page.svg.querySelectorAll("rect.hovered").forEach((rect) => rect.classList.remove("hovered"));
  event.target.classList.add("hovered");
}

function hideTooltip() {
  page.tooltip.hidden = true;
  page.svg.querySelectorAll("rect.hovered").forEach((rect) => rect.classList.remove("hovered"));
}

async function submitDryRun(event) {
  event.preventDefault();
  const result = document.getElementById("dry-run-result");
  result.replaceChildren(el("p", { class: "hint" }, "asking the engine…"));
  try {
    const answer = await dryRun(document.getElementById("template").value,
      document.getElementById("parameters").value);
    state.proposed = new Set(answer.placements
      ? Object.values(answer.placements).map((placed) => placed.location) : []);
    showResult(result, answer);
    if (state.model) draw();
  } catch (error) {
    if (error instanceof AuthNeeded) fail(error);
    result.replaceChildren(el("p", { class: "error" }, `The dry run failed: ${error.message}`));
  }
}

async function readUpload(event) {
  const [file] = event.target.files;
  if (file) document.getElementById("template").value = await file.text();
}

document.getElementById("auth").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken(document.getElementById("token").value.trim());
  load();
});
document.getElementById("token").value = token();
page.metric.addEventListener("change", () => state.model && draw());
page.selection.addEventListener("change", () => state.model && select());
document.getElementById("refresh").addEventListener("click", load);
document.getElementById("dry-run-form").addEventListener("submit", submitDryRun);
document.getElementById("template-file").addEventListener("change", readUpload);
window.addEventListener("resize", () => state.model && draw());
load();
