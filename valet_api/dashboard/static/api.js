// The public v1 API of the server that served the page, with the user's token.
//
// NOTE: the API's root is two levels above this file (<root>/dashboard/static/api.js),
// so a mount point or a proxy prefix in front of valet-api needs no setting.
export const apiRoot = new URL("../../", import.meta.url);

// The token lives in sessionStorage: it goes when the tab closes, and the page
// itself holds no secret.
const TOKEN_KEY = "valet.token";

export function token() {
  return window.sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) {
    window.sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    window.sessionStorage.removeItem(TOKEN_KEY);
  }
}

// A 401: keystone mode without a (valid) token.
export class AuthNeeded extends Error {}

// A refusal of the API: its status and Valet's error body ({title, code, error}).
export class ApiRefusal extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// `{status, body}` of one call; 401 throws AuthNeeded, other errors ApiRefusal.
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token()) headers["X-Auth-Token"] = token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(new URL(path, apiRoot), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit", cache: "no-store",
  });
  const text = await response.text();
  let decoded = null;
  try {
    decoded = text ? JSON.parse(text) : null;
  } catch {
    decoded = { error: { message: text } };
  }
  if (response.status === 401) throw new AuthNeeded(decoded?.error?.message || "a token is needed");
  if (!response.ok) throw new ApiRefusal(response.status, decoded);
  return { status: response.status, body: decoded };
}

// What the page shows, read in parallel. A read the policy refuses (403: hosts
// and violations are for admins) leaves that part empty and is named in `refused`.
export async function snapshot() {
  const refused = [];
  const read = (path, empty) => call("GET", path).then((answer) => answer.body, (error) => {
    if (!(error instanceof ApiRefusal) || error.status !== 403) throw error;
    refused.push(`${path}: ${error.message}`);
    return empty;
  });
  const [hosts, plans, placements, groups, resources] = await Promise.all([
    read("v1/hosts", { hosts: [] }), read("v1/plans", { plans: [] }),
    read("v1/placements", { placements: [] }), read("v1/groups", { groups: [] }),
    read("v1/resources", { resources: {} })]);
  return {
    hosts: hosts.hosts, plans: plans.plans, placements: placements.placements,
    groups: groups.groups, violations: resources.resources, refused,
  };
}

// `{engine, database}` of /v1/status, or `{down: reason}` for its 503 (shown, not fatal).
export async function status() {
  try {
    return (await call("GET", "v1/status")).body.status;
  } catch (error) {
    if (error instanceof ApiRefusal && error.status === 503) return { down: error.message };
    throw error;
  }
}
