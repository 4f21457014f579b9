"""Pipe bandwidth over uplinks.

A pipe between two resources consumes its bandwidth on the uplink of every
host, rack and cluster boundary it crosses, at both ends.  Two ends with no
domain at a level (e.g. a volume on a shared backend) always cross there.
"""

import math

import numpy as np
from ortools.sat.python import cp_model

from ostro.constraints.base import Rule
from ostro.model.datacenter import LEVELS


def crossings(compiled, location, peer_location):
    """Per level: True where ``location`` (array) and ``peer_location`` differ."""
    result = {}
    for level in LEVELS:
        domains = compiled.domain[level]
        peer = domains[peer_location]
        result[level] = (domains[location] != peer) | (peer < 0) | (domains[location] < 0)
    return result


def placed_pipes(state, item):
    """(peer location, bandwidth) for the item's pipes whose other end is placed."""
    return [(state.location_of[end.peer], end.bandwidth) for end in item.pipes
            if end.peer in state.location_of]


class Bandwidth(Rule):
    label = "bandwidth"

    def applies(self, item):
        return bool(item.pipes)

    def mask(self, state, item):
        compiled = state.compiled
        pipes = placed_pipes(state, item)
        if not pipes or not compiled.has_uplink_limits():
            return None
        everywhere = np.arange(compiled.size)
        mask = np.ones(compiled.size, dtype=bool)
        for level in LEVELS:
            domains = compiled.domain[level]
            own_extra = np.zeros(compiled.size)
            peer_extra = {}
            for peer_location, bandwidth in pipes:
                crossing = crossings(compiled, everywhere, peer_location)[level]
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
