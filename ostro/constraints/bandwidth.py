"""Pipe bandwidth over uplinks.

A pipe between two resources consumes its bandwidth on the uplink of every
host, rack and cluster boundary it crosses, at both ends.  Two ends with no
domain at a level (e.g. a volume on a shared backend) always cross there.
While only one end is placed, the search state *holds* the bandwidth above
it; :func:`keeps_room` lets the heuristic prefer choices that respect holds.
"""

import math

import numpy as np
from ortools.sat.python import cp_model

from ostro.constraints.base import Rule
from ostro.model.datacenter import LEVELS


def crosses(domains, peer):
    """Per location: whether a pipe to a peer in domain ``peer`` crosses this
    level (different domains, or either end in none)."""
    return (domains != peer) | (peer < 0) | (domains < 0)


def placed_pipes(state, item):
    """(peer location, bandwidth) for the item's pipes whose other end is placed."""
    return [(state.location_of[end.peer], end.bandwidth) for end in item.pipes
            if end.peer in state.location_of]


def keeps_room(state, item, coming=0.0):
    """Candidates whose uplinks also keep room for the item's and its peers'
    pipes whose other end is not placed yet (the state's holds), and for
    ``coming`` Mbps more that will surely arrive on the same host.

    Not a rule, advice: a heuristic that fills an uplink with local pipes
    can leave a later pipe peer nowhere to go; preferring these candidates
    avoids that dead end without forbidding anything."""
    compiled = state.compiled
    placed = placed_pipes(state, item)
    pending = coming + sum(end.bandwidth for end in item.pipes
                           if end.peer not in state.location_of)
    mask = np.ones(compiled.size, dtype=bool)
    for level in LEVELS:
        domains = compiled.domain[level]
        extra = np.full(compiled.size, float(pending))
        for peer_location, bandwidth in placed:
            peer = domains[peer_location]
            # Crossing: a real charge here.  Not crossing: the peer's hold here goes.
            extra += np.where(crosses(domains, peer), bandwidth, -bandwidth)
        left = compiled.uplink[level] - state.uplink_used[level] - state.uplink_held[level]
        mask &= extra <= np.append(left, math.inf)[domains] + 1e-6
    return mask


class Bandwidth(Rule):
    label = "bandwidth"

    def applies(self, item):
        return bool(item.pipes)

    def mask(self, state, item):
        compiled = state.compiled
        pipes = placed_pipes(state, item)
        if not pipes or not compiled.has_uplink_limits():
            return None
        mask = np.ones(compiled.size, dtype=bool)
        for level in LEVELS:
            domains = compiled.domain[level]
            own_extra = np.zeros(compiled.size)
            peer_extra = {}
            for peer_location, bandwidth in pipes:
                crossing = crosses(domains, domains[peer_location])
                own_extra += bandwidth * crossing
                peer_domain = domains[peer_location]
                if peer_domain >= 0:
                    peer_extra.setdefault(peer_domain, np.zeros(compiled.size))
                    peer_extra[peer_domain] += bandwidth * crossing
            limit = np.append(compiled.uplink[level] - state.uplink_used[level], math.inf)
            mask &= own_extra <= limit[domains] + 1e-6
            for peer_domain, extra in peer_extra.items():
                mask &= extra <= limit[peer_domain] + 1e-6
        return mask

    def detail(self, state, item):
        total = sum(end.bandwidth for end in item.pipes)
        return f"pipes of {total:g} Mbps"

    def constrain(self, exact):
        """Uplink use per domain stays within what is left of its uplink."""
        compiled = exact.compiled
        for (level, domain), terms in exact.uplink_terms().items():
            if domain < 0 or not math.isfinite(compiled.uplink[level][domain]):
                continue
            left = compiled.uplink[level][domain] - exact.state.uplink_used[level][domain]
            constant = sum(value for value, var in terms if var is None)
            variable = [(value, var) for value, var in terms if var is not None]
            if variable:
                exact.model.add(cp_model.LinearExpr.weighted_sum(
                    [var for _, var in variable], [int(round(v)) for v, _ in variable])
                    <= int(math.floor(left - constant + 1e-6)))
