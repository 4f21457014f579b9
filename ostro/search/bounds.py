"""Lower bounds on the hosts a stack needs, so the planner can stop as soon
as the heuristic's answer is provably as good as it gets.

Facts used (each holds for any valid placement):
- a host holds at most ``max_per_domain`` units of a diversity group (any
  level: a host lies in one domain of each level), 1 by default;
- an exclusivity group (any level) shares no host with servers outside it,
  so disjoint exclusive groups, and everything outside them, need hosts of
  their own;
- demand over the largest free host, per dimension.
"""

import math

import numpy as np

from ostro.model.topology import GroupKind


def _exclusive_clusters(problem, servers):
    """Sets of servers bound together by overlapping exclusivity groups."""
    clusters = []
    for rule in problem.group_rules:
        if rule.kind != GroupKind.EXCLUSIVITY:
            continue
        members = {orch for orch in rule.members if orch in servers}
        if not members:
            continue
        overlapping = [c for c in clusters if c & members]
        for cluster in overlapping:
            clusters.remove(cluster)
            members |= cluster
        clusters.append(members)
    return clusters


def _part_bound(problem, part, free):
    """Hosts needed by ``part`` (a set of server orch ids) on its own."""
    if not part:
        return 0
    bound = 1
    for rule in problem.group_rules:
        # NOTE: a soft diversity may break, so it bounds nothing.
        if rule.kind == GroupKind.DIVERSITY and not rule.soft:
            units = {rule.rule.units[orch] for orch in rule.members if orch in part}
            bound = max(bound, math.ceil(len(units) / rule.rule.max_per_domain))
    total = np.sum([problem.items[orch].demand[:3] for orch in part], axis=0)
    largest = free.max(axis=0) if free.size else np.zeros(3)
    for dim in range(3):
        if total[dim] > 0 and largest[dim] > 0:
            bound = max(bound, math.ceil(total[dim] / largest[dim] - 1e-9))
    return bound


def hosts_lower_bound(problem, state):
    servers = {orch for orch, item in problem.items.items() if item.is_server}
    if len(servers) <= 1:
        return len(servers)
    compiled = state.compiled
    free = np.clip(state.headroom, 0, None)[:compiled.host_count, :3]
    clusters = _exclusive_clusters(problem, servers)
    rest = servers.difference(*clusters) if clusters else servers
    return sum(_part_bound(problem, part, free) for part in clusters) + \
        _part_bound(problem, rest, free)
