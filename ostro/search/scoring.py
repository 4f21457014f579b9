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

from ostro.config import Objective
from ostro.constraints.bandwidth import crosses, keeps_room, placed_pipes
from ostro.model.datacenter import LEVELS


def pipe_cost(state, item):
    """Per location: bandwidth x boundaries crossed to the item's placed peers."""
    compiled = state.compiled
    cost = np.zeros(compiled.size)
    for peer_location, bandwidth in placed_pipes(state, item):
        for level in LEVELS:
            domains = compiled.domain[level]
            cost += bandwidth * crosses(domains, domains[peer_location])
    return cost


def remaining_share(state, item, span=slice(None)):
    """Per location of ``span``: share of capacity left after placing
    ``item``, summed over the item's dimensions."""
    compiled = state.compiled
    headroom, inverse = state.headroom[span], compiled.inverse_capacity[span]
    share = np.zeros(headroom.shape[0])
    for dim in np.flatnonzero(item.demand > 0):
        share += (headroom[:, dim] - item.demand[dim]) * inverse[:, dim]
    return share


# Tiers: boolean vectors over the locations of ``span`` (hosts for a server,
# backends for a volume: an item never goes to the other kind).

def _stack_on_host(state, span):
    on_host = np.zeros(state.compiled.size, dtype=bool)
    on_host[:state.compiled.host_count] = state.new_in["host"] > 0
    return on_host[span]


def _occupied(state, span):
    compiled = state.compiled
    flags = compiled.base_occupied.copy()
    flags[:compiled.host_count] |= state.servers_in["host"] > 0
    flags[compiled.host_count:] |= \
        state.headroom[compiled.host_count:, 3] < compiled.capacity[compiled.host_count:, 3] - 1e-6
    return flags[span]


def _stack_in_rack(state, span):
    compiled = state.compiled
    racks = compiled.safe_domain["rack"][span]
    return (state.new_in["rack"][racks] > 0) & compiled.has_domain["rack"][span]


#: objective -> [(tier, weight when the tier is NOT as preferred, preferred value)].
TIERS = {
    Objective.PACK: [(_stack_on_host, 1000.0, True), (_occupied, 100.0, True),
             (_stack_in_rack, 10.0, True)],
    Objective.SPREAD: [(_stack_on_host, 1000.0, False), (_occupied, 100.0, False)],
}


def _fit(state, item, objective, span, on_host):
    share = remaining_share(state, item, span)
    if objective == Objective.SPREAD:
        return -share
    # NOTE: best fit on hosts the stack already uses, but when a host must be
    # opened, the one with the most room, so fewer get opened in all.
    return np.where(on_host, share, -share)


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
    hosts = state.compiled.host_count
    span = slice(0, hosts) if item.is_server else slice(hosts, state.compiled.size)
    on_host = _stack_on_host(state, span)
    score = _fit(state, item, objective, span, on_host)
    for tier, weight, preferred in TIERS[objective]:
        flags = on_host if tier is _stack_on_host else tier(state, span)
        score += weight * (flags != preferred)
    return span.start + int(np.argmin(np.where(mask[span], score, np.inf)))
