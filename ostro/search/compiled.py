"""The data centre as arrays: the search's read-only view of the topology.

Built once per data centre (and settings); every planning request then works
on numpy vectors over all locations (hosts first, then storage backends), so
a rule's filter is a handful of vector operations even on 10,000 hosts.
"""

import numpy as np

from ostro.model.datacenter import DIMENSIONS, LEVELS


class CompiledDatacenter:
    """Arrays over locations.  Index ``i`` is ``names[i]``.

    ``domain[level][i]`` is the index of location ``i``'s domain at that level
    (-1 when it has none: backends at host level, shared backends everywhere).
    """

    def __init__(self, datacenter, settings):
        self.datacenter = datacenter
        self.settings = settings
        locations = datacenter.locations()
        self.names = [location.name for location in locations]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.size = len(locations)
        self.host_count = len(datacenter.hosts)
        self.is_host = np.array([loc.kind == "host" for loc in locations], dtype=bool)
        self.enabled = np.array([loc.enabled for loc in locations], dtype=bool)
        # NOTE: column-major, so one dimension over all locations is contiguous
        # memory: the filters compare whole columns at a time.
        self.capacity = np.zeros((self.size, len(DIMENSIONS)), order="F")
        self.base_used = np.zeros((self.size, len(DIMENSIONS)), order="F")
        self.foreign = np.zeros(self.size, dtype=np.int64)
        for i, location in enumerate(locations):
            self._fill_location(i, location)
        self.zone_names = sorted({loc.availability_zone for loc in locations})
        zone_index = {zone: i for i, zone in enumerate(self.zone_names)}
        self.zone = np.array([zone_index[loc.availability_zone] for loc in locations])
        self.domain_names, self.domain, self.uplink = {}, {}, {}
        for level in LEVELS:
            self._index_level(level, locations)
        # Per-dimension scale for comparing item sizes, and hosts already
        # holding load Valet did not place.
        largest = self.capacity.max(axis=0) if self.size else np.zeros(len(DIMENSIONS))
        self.scale = np.where(largest > 0, largest, 1.0)
        self.base_occupied = self.base_used.any(axis=1)
        self.inverse_capacity = np.where(self.capacity > 0, 1.0 / np.maximum(self.capacity, 1e-12),
                                         0.0)
        # Domain indices safe for fancy indexing (-1 -> 0) and where they are real.
        self.has_domain = {level: self.domain[level] >= 0 for level in LEVELS}
        self.safe_domain = {level: np.maximum(self.domain[level], 0) for level in LEVELS}
        self._mask_cache = {}

    def _fill_location(self, i, location):
        if location.kind == "host":
            self.capacity[i, :3] = self.datacenter.capacity(location, self.settings)
            self.base_used[i, :3] = [location.used.get(dim, 0) for dim in DIMENSIONS[:3]]
            # NOTE: load Valet did not place is at least one server it cannot
            # see; exclusivity must treat the host as occupied.
            self.foreign[i] = 1 if location.has_foreign_load else 0
        else:
            self.capacity[i, 3] = location.capacity_gb
            self.base_used[i, 3] = location.used_gb

    def _index_level(self, level, locations):
        names = sorted(self.datacenter.domains(level))
        if level == "host":
            names = list(self.datacenter.hosts)
        position = {name: i for i, name in enumerate(names)}
        self.domain_names[level] = names
        self.domain[level] = np.array(
            [position.get(loc.domain(level), -1) if loc.domain(level) else -1
             for loc in locations], dtype=np.int64)
        self.uplink[level] = np.array(
            [self.datacenter.uplink(level, name) for name in names], dtype=float)

    def domain_count(self, level):
        return len(self.domain_names[level])

    def has_uplink_limits(self):
        return any(np.isfinite(self.uplink[level]).any() for level in LEVELS)

    def cached_mask(self, key, build):
        """A static per-request mask, memoised (flavor specs, zones, types)."""
        mask = self._mask_cache.get(key)
        if mask is None:
            mask = build()
            mask.setflags(write=False)
            self._mask_cache[key] = mask
        return mask
