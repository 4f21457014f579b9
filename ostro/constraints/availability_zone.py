"""Availability zones: a server's or volume's ``availability_zone``.

Nova's ``zone:host`` form (and ``zone:host:node``) pins a host as well.
"""

import numpy as np

from ostro.constraints.base import Rule


def parse_zone(value):
    """``(zone or None, host or None)`` from Nova's availability_zone syntax."""
    if not value:
        return None, None
    zone, _, rest = value.partition(":")
    host = rest.partition(":")[0] or None
    return zone or None, host


class AvailabilityZone(Rule):
    label = "availability_zone"

    def applies(self, item):
        return bool(getattr(item.resource, "availability_zone", None))

    def mask(self, state, item):
        compiled = state.compiled
        zone, host = parse_zone(item.resource.availability_zone)
        return compiled.cached_mask(("zone", zone, host), lambda: self._build(compiled, zone, host))

    @staticmethod
    def _build(compiled, zone, host):
        mask = np.ones(compiled.size, dtype=bool)
        if zone is not None:
            if zone not in compiled.zone_names:
                return np.zeros(compiled.size, dtype=bool)
            mask &= compiled.zone == compiled.zone_names.index(zone)
        if host is not None:
            pinned = np.zeros(compiled.size, dtype=bool)
            if host in compiled.index:
                pinned[compiled.index[host]] = True
            mask &= pinned
        return mask

    def detail(self, state, item):
        return f"asks for {item.resource.availability_zone}"
