"""Servers go to enabled hosts, volumes to enabled storage backends, and a
replan or migrate may narrow (or exclude) the locations further."""

import numpy as np

from ostro.constraints.base import Rule


class LocationKind(Rule):
    label = "enabled location"

    def mask(self, state, item):
        compiled = state.compiled
        kind = compiled.is_host if item.is_server else ~compiled.is_host
        return compiled.enabled & kind


class Restriction(Rule):
    """Per-item allow or deny lists (replan within hosts, migrate away)."""


    def __init__(self, orch_id, names, allow):
        self.orch_id = orch_id
        self.names = set(names)
        self.allow = allow
        self.label = "requested locations" if allow else "excluded locations"

    def applies(self, item):
        return item.orch_id == self.orch_id

    def mask(self, state, item):
        compiled = state.compiled
        listed = np.zeros(compiled.size, dtype=bool)
        indices = [compiled.index[name] for name in self.names if name in compiled.index]
        listed[indices] = True
        return listed if self.allow else ~listed
