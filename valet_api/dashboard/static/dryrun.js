// "Would it fit?": a HOT template (and its parameters) sent as a dry run,
// POST /v1/plans {"template", "parameters", "dry_run": true}; nothing is stored.
import { ApiRefusal, call } from "./api.js";
import { el } from "./panels.js";

// `{key: value}` from "key=value" lines, or from a JSON object.
export function parseParameters(text) {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith("{")) {
    const parsed = JSON.parse(trimmed);
    if (typeof parsed !== "object" || Array.isArray(parsed) || parsed === null) {
      throw new Error("parameters: a JSON object is needed");
    }
    return parsed;
  }
  const parameters = {};
  for (const [number, line] of trimmed.split("\n").entries()) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at < 1) throw new Error(`parameters line ${number + 1}: key=value expected`);
    parameters[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return parameters;
}

// The answer as `{placements}` (it fits) or `{refusal}` (a 409 or a 400: why not).
export async function dryRun(template, parametersText) {
  let parameters;
  try {
    parameters = parseParameters(parametersText);
  } catch (error) {
    return { refusal: { message: error.message, type: "InvalidInput" } };
  }
  try {
    const answer = await call("POST", "v1/plans", { template, parameters, dry_run: true });
    return { placements: answer.body.plan.placements };
  } catch (error) {
    if (!(error instanceof ApiRefusal)) throw error;
    const detail = (error.body && error.body.error) || {};
    return { refusal: { ...detail, message: error.message, status: error.status } };
  }
}

function placementTable(placements) {
  const rows = Object.entries(placements).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([orchId, placed]) => el("tr", { "data-orch-id": orchId },
      el("td", {}, placed.name || orchId), el("td", { class: "location" }, placed.location),
      el("td", {}, placed.rack || ""), el("td", {}, placed.cluster || ""),
      el("td", {}, placed.availability_zone || ""), el("td", {}, (placed.groups || []).join(", "))));
  return el("table", { class: "placements" },
    el("thead", {}, el("tr", {}, ...["resource", "location", "rack", "cluster", "zone", "groups"]
      .map((title) => el("th", {}, title)))),
    el("tbody", {}, ...rows));
}

// Shows `result` (of dryRun) in `element`.
export function showResult(element, result) {
  if (result.placements) {
    const count = Object.keys(result.placements).length;
    element.replaceChildren(el("div", { class: "fits", id: "dry-run-fits" },
      el("p", {}, `It fits: ${count} resource(s) would go here (dashed on the map). Nothing was stored.`),
      placementTable(result.placements)));
    return;
  }
  const refusal = result.refusal;
  const facts = [["rule", refusal.rule], ["group", refusal.group], ["resource", refusal.resource]]
    .filter(([, value]) => value);
  element.replaceChildren(el("div", { class: "refusal", id: "dry-run-refusal" },
    el("p", {}, refusal.status === 409 ? "It would not fit:" : "The request was refused:"),
    el("p", { class: "reason" }, refusal.message),
    facts.length ? el("ul", {}, ...facts.map(([name, value]) => el("li", {}, `${name}: ${value}`)))
      : null,
    refusal.hints && refusal.hints.length
      ? el("div", {}, "What would make it fit:",
        el("ul", { class: "hints" }, ...refusal.hints.map((hint) => el("li", {}, hint))))
      : null));
}
