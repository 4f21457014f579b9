"""Scores for the heuristic's choice among candidate locations (lower wins).

The terms follow the objective's priorities: pipe bandwidth kept local, then
hosts already holding this stack, then hosts and racks already in use, then
the tightest fit (pack) or the most room left (spread).
"""

import numpy as np

from ostro.constraints.bandwidth import placed_pipes
from ostro.model.datacenter import LEVELS

_PIPE = 1e6          # one Mbps crossing one boundary outweighs every packing term
_OPEN_HOST = 1e3     # a host this stack does not use yet
_EMPTY_HOST = 1e2    # a host holding nothing yet
_EMPTY_RACK = 1e1    # a rack holding nothing of this stack yet


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
    """Mean share of capacity left after placing ``item``, over the item's dimensions."""
    compiled = state.compiled
    dims = np.flatnonzero(item.demand > 0)
    if dims.size == 0:
        return np.zeros(candidates.size)
    capacity = compiled.capacity[np.ix_(candidates, dims)]
    left = capacity - state.used[np.ix_(candidates, dims)] - item.demand[dims]
    return (left / np.maximum(capacity, 1e-9)).mean(axis=1)


def score(state, item, candidates, objective):
    compiled = state.compiled
    cost = pipe_cost(state, item, candidates) * _PIPE if item.pipes else 0.0
    hosts = compiled.domain["host"][candidates]
    racks = compiled.domain["rack"][candidates]
    on_host = np.where(hosts >= 0, state.new_in["host"][hosts], 0) > 0
    occupied = (np.where(hosts >= 0, state.servers_in["host"][hosts], 0) > 0) | \
        state.used[candidates].any(axis=1)
    rack_used = np.where(racks >= 0, state.new_in["rack"][racks], 0) > 0
    left = remaining_share(state, item, candidates)
    if objective == "spread":
        return cost + on_host * _OPEN_HOST + occupied * _EMPTY_HOST - left
    return cost + ~on_host * _OPEN_HOST + ~occupied * _EMPTY_HOST + ~rack_used * _EMPTY_RACK \
        + left


def best(state, item, mask, objective):
    """Index of the best location among ``mask`` for ``item``."""
    candidates = np.flatnonzero(mask)
    if candidates.size == 1:
        return int(candidates[0])
    return int(candidates[np.argmin(score(state, item, candidates, objective))])
