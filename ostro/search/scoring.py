"""The heuristic's choice among candidate locations.

Preferences are lexicographic, following the objective's priorities: pipe
bandwidth kept local first; then, to pack, hosts this stack already uses,
hosts already holding anything, racks this stack already uses, and the
tightest fit; to spread, the reverse of the host preferences and the most
room left.  Each tier narrows the candidates before the next (cheaper than
scoring every location on every term).
"""

import numpy as np

from ostro.constraints.bandwidth import placed_pipes
from ostro.model.datacenter import LEVELS


def pipe_cost(state, item, candidates):
    compiled = state.compiled
    cost = np.zeros(candidates.size)
    for peer_location, bandwidth in placed_pipes(state, item):
        for level in LEVELS:
            domains = compiled.domain[level]
            peer = domains[peer_location]
            own = domains[candidates]
            cost += bandwidth * ((own != peer) | (peer < 0) | (own < 0))
    return cost


def remaining_share(state, item, candidates):
    """Mean share of capacity left after placing ``item``, over its dimensions."""
    dims = np.flatnonzero(item.demand > 0)
    if dims.size == 0:
        return np.zeros(candidates.size)
    capacity = state.compiled.capacity[candidates][:, dims]
    left = capacity - state.used[candidates][:, dims] - item.demand[dims]
    return (left / np.maximum(capacity, 1e-9)).mean(axis=1)


def _stack_on_host(state, candidates):
    hosts = state.compiled.domain["host"][candidates]
    return np.where(hosts >= 0, state.new_in["host"][hosts], 0) > 0


def _occupied(state, candidates):
    hosts = state.compiled.domain["host"][candidates]
    holds_servers = np.where(hosts >= 0, state.servers_in["host"][hosts], 0) > 0
    return holds_servers | state.used[candidates].any(axis=1)


def _stack_in_rack(state, candidates):
    racks = state.compiled.domain["rack"][candidates]
    return np.where(racks >= 0, state.new_in["rack"][racks], 0) > 0


#: objective -> [(tier, preferred value)], applied in order.
TIERS = {
    "pack": [(_stack_on_host, True), (_occupied, True), (_stack_in_rack, True)],
    "spread": [(_stack_on_host, False), (_occupied, False)],
}


def best(state, item, mask, objective):
    """Index of the best location among ``mask`` for ``item``."""
    candidates = np.flatnonzero(mask)
    if candidates.size > 1 and item.pipes:
        cost = pipe_cost(state, item, candidates)
        candidates = candidates[cost <= cost.min() + 1e-9]
    for tier, preferred in TIERS[objective]:
        if candidates.size == 1:
            break
        flags = tier(state, candidates) == preferred
        if flags.any():
            candidates = candidates[flags]
    if candidates.size == 1:
        return int(candidates[0])
    left = remaining_share(state, item, candidates)
    pick = np.argmax(left) if objective == "spread" else np.argmin(left)
    return int(candidates[pick])
