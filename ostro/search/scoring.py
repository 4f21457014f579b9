"""The heuristic's choice among candidate locations.

Preferences are lexicographic, following the objective's priorities: pipe
bandwidth kept local first; then, to pack, hosts this stack already uses,
hosts already holding anything, racks this stack already uses, and the
tightest fit; to spread, the reverse of the host preferences and the most
room left.  Terms are computed over all locations at once (contiguous
vectors are cheaper than gathering the candidates first) and combined with
weights that keep them lexicographic: each tier's weight exceeds everything
below it (the fit term is a sum of at most three shares in [0, 1]).
"""

import numpy as np

from ostro.constraints.bandwidth import keeps_room, placed_pipes
from ostro.model.datacenter import LEVELS


def pipe_cost(state, item):
    """Per location: bandwidth x boundaries crossed to the item's placed peers."""
    compiled = state.compiled
    cost = np.zeros(compiled.size)
    for peer_location, bandwidth in placed_pipes(state, item):
        for level in LEVELS:
            domains = compiled.domain[level]
            peer = domains[peer_location]
            cost += bandwidth * ((domains != peer) | (peer < 0) | (domains < 0))
    return cost


def remaining_share(state, item):
    """Per location: share of capacity left after placing ``item``, summed
    over the item's dimensions."""
    compiled = state.compiled
    share = np.zeros(compiled.size)
    for dim in np.flatnonzero(item.demand > 0):
        share += (state.headroom[:, dim] - item.demand[dim]) * compiled.inverse_capacity[:, dim]
    return share


def _per_host(state, counts):
    flags = np.zeros(state.compiled.size, dtype=bool)
    flags[:state.compiled.host_count] = counts > 0
    return flags


def _stack_on_host(state):
    return _per_host(state, state.new_in["host"])


def _occupied(state):
    compiled = state.compiled
    flags = _per_host(state, state.servers_in["host"])
    return flags | compiled.base_occupied | (state.headroom[:, 3] < compiled.capacity[:, 3] - 1e-6)


def _stack_in_rack(state):
    compiled = state.compiled
    return (state.new_in["rack"][compiled.safe_domain["rack"]] > 0) & compiled.has_domain["rack"]


#: objective -> [(tier, weight when the tier is NOT as preferred, preferred value)].
TIERS = {
    "pack": [(_stack_on_host, 1000.0, True), (_occupied, 100.0, True),
             (_stack_in_rack, 10.0, True)],
    "spread": [(_stack_on_host, 1000.0, False), (_occupied, 100.0, False)],
}


def _fit(state, item, objective):
    share = remaining_share(state, item)
    if objective == "spread":
        return -share
    # NOTE: best fit on hosts the stack already uses, but when a host must be
    # opened, the one with the most room, so fewer get opened in all.
    return np.where(_stack_on_host(state), share, -share)


def best(problem, state, item, mask):
    """Index of the best location among ``mask`` for ``item``."""
    objective = problem.objective
    if np.count_nonzero(mask) == 1:
        return int(np.flatnonzero(mask)[0])
    if (item.pipes or problem.host_mates[item.orch_id]) and state.compiled.has_uplink_limits():
        roomy = mask & keeps_room(state, item, problem.host_mates_bandwidth(state, item))
        if roomy.any():
            mask = roomy
    if item.pipes:
        cost = pipe_cost(state, item)
        mask = mask & (cost <= cost[mask].min() + 1e-9)
    score = _fit(state, item, objective)
    for tier, weight, preferred in TIERS[objective]:
        score += weight * (tier(state) != preferred)
    return int(np.argmin(np.where(mask, score, np.inf)))
