// What the page derives from one snapshot of the API: look-ups, and which rules of
// a plan or a group /v1/resources reports as violated. No DOM here.

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Whether a violation message is about group `name`: the checker says
// "<rule> of group NAME: ..." and the stale-plan notes "group 'NAME' ...".
export function namesGroup(message, name) {
  const pattern = new RegExp(`group '?${escapeRegExp(name)}'?(?![A-Za-z0-9._~-])`);
  return pattern.test(message);
}

export class Model {
  constructor({ hosts, plans, placements, groups, violations, refused = [] }) {
    this.refused = refused;
    this.hosts = new Map(hosts.map((host) => [host.name, host]));
    this.plans = new Map(plans.map((plan) => [plan.id, plan]));
    this.placements = new Map(placements.map((placement) => [placement.orchestration_id, placement]));
    this.groups = new Map(groups.map((group) => [group.name, group]));
    // /v1/resources is keyed by the resource id once Nova or Cinder gave one, else
    // by the orchestration id.
    const byKey = new Map();
    for (const placement of placements) {
      byKey.set(placement.orchestration_id, placement);
      if (placement.resource_id) byKey.set(placement.resource_id, placement);
    }
    this.violations = Object.entries(violations).map(([key, found]) => ({
      key, ...found, placement: byKey.get(key) || null,
    }));
  }

  // Locations (hosts, or storage backends) that are not hosts: the backends.
  // Without the hosts (a policy refused them) nothing tells the two apart: none.
  backends(extra = []) {
    if (this.hosts.size === 0) return [];
    const names = new Set([...this.placements.values()].map((p) => p.location));
    for (const location of extra) names.add(location);
    return [...names].filter((name) => name && !this.hosts.has(name)).sort();
  }

  planName(planId) {
    const plan = this.plans.get(planId);
    return plan ? plan.name || plan.stack_id : planId;
  }

  placementsOf(plan) {
    return Object.entries(plan.placements).map(([orchId, placed]) => ({ orchId, ...placed }));
  }

  // The names of the groups `plan`'s servers and volumes are in, sorted
  // (each placement of a plan's answer lists its groups).
  groupsOfPlan(plan) {
    return [...new Set(this.placementsOf(plan).flatMap((placed) => placed.groups || []))].sort();
  }

  violationsOfPlan(plan) {
    return this.violations.filter((found) => found.placement && found.placement.plan_id === plan.id);
  }

  // [{name, group (the named group or null: in-stack), violated: [messages]}]
  rulesOfPlan(plan) {
    const found = this.violationsOfPlan(plan);
    return this.groupsOfPlan(plan).map((name) => ({
      name, group: this.groups.get(name) || null,
      violated: found.filter((v) => namesGroup(v.message, name)).map((v) => v.message),
    }));
  }

  hostsOfGroup(name) {
    return [...this.hosts.values()].filter((host) => host.groups.includes(name))
      .map((host) => host.name);
  }

  violationsOfGroup(name) {
    return this.violations.filter((found) => namesGroup(found.message, name));
  }
}
