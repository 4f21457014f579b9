"""The data centre: clusters, racks, hosts, storage backends, aggregates, flavors.

Topology levels are data: every location (host or storage backend) knows its
domain at each level in :data:`LEVELS`, and rules look domains up by level
name.  Nothing in the engine branches on a level's name.
"""

import dataclasses
import math

#: Topology levels from the narrowest to the widest.  A level is a key into
#: :meth:`Location.domain`.
LEVELS = ("host", "rack", "cluster")

#: Resource dimensions a location offers; servers use the first three,
#: volumes the last.
DIMENSIONS = ("vcpus", "memory_mb", "disk_gb", "volume_gb")

RATIO_KEYS = ("cpu_allocation_ratio", "ram_allocation_ratio", "disk_allocation_ratio")


def level_rank(level):
    """Position of ``level`` in :data:`LEVELS` (host 0 ... cluster 2)."""
    return LEVELS.index(level)


@dataclasses.dataclass(frozen=True)
class Flavor:
    name: str
    vcpus: int
    ram: int
    disk: int
    ephemeral: int = 0
    swap: int = 0
    extra_specs: dict = dataclasses.field(default_factory=dict)
    id: str | None = None


@dataclasses.dataclass(frozen=True)
class Aggregate:
    name: str
    metadata: dict = dataclasses.field(default_factory=dict)
    ratios: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Domain:
    """A rack or a cluster: a name, its parent's name and its uplink."""

    name: str
    level: str
    parent: str | None = None
    uplink_mbps: float = math.inf


@dataclasses.dataclass
class Host:
    name: str
    rack: str
    cluster: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    availability_zone: str = "nova"
    uplink_mbps: float = math.inf
    aggregates: tuple = ()
    enabled: bool = True
    ratios: dict = dataclasses.field(default_factory=dict)
    used: dict = dataclasses.field(default_factory=dict)

    kind = "host"

    def domain(self, level):
        return {"host": self.name, "rack": self.rack, "cluster": self.cluster}[level]

    @property
    def has_foreign_load(self):
        """True when load Valet did not place sits on this host."""
        return any(self.used.get(dim, 0) for dim in DIMENSIONS)


@dataclasses.dataclass
class StorageBackend:
    """A Cinder pool.  It belongs to a rack (and that rack's cluster), to a
    cluster only, or to no domain at all (shared); never to a host."""

    name: str
    capacity_gb: float
    rack: str | None = None
    cluster: str | None = None
    volume_types: tuple = ()
    availability_zone: str = "nova"
    used_gb: float = 0.0
    enabled: bool = True

    kind = "backend"
    uplink_mbps = math.inf

    def domain(self, level):
        return {"host": None, "rack": self.rack, "cluster": self.cluster}[level]


@dataclasses.dataclass
class Datacenter:
    name: str
    hosts: dict
    racks: dict
    clusters: dict
    backends: dict = dataclasses.field(default_factory=dict)
    aggregates: dict = dataclasses.field(default_factory=dict)
    flavors: dict = dataclasses.field(default_factory=dict)
    defaults: dict = dataclasses.field(default_factory=dict)

    def locations(self):
        """Hosts then backends, in a stable order."""
        return list(self.hosts.values()) + list(self.backends.values())

    def location(self, name):
        return self.hosts.get(name) or self.backends.get(name)

    def domains(self, level):
        """Names of the domains of ``level`` (hosts, racks or clusters)."""
        return {"host": self.hosts, "rack": self.racks, "cluster": self.clusters}[level]

    def uplink(self, level, name):
        if level == "host":
            return self.hosts[name].uplink_mbps
        return self.domains(level)[name].uplink_mbps

    def find_flavor(self, name_or_id):
        flavor = self.flavors.get(name_or_id)
        if flavor is None:
            flavor = next((f for f in self.flavors.values()
                           if f.id is not None and str(f.id) == str(name_or_id)), None)
        return flavor

    def ratio(self, host, key, engine_default):
        """Overcommit ratio: the host's own, else the minimum over its
        aggregates that set one, else the inventory default, else the engine's."""
        if key in host.ratios:
            return host.ratios[key]
        from_aggregates = [self.aggregates[name].ratios[key] for name in host.aggregates
                           if key in self.aggregates[name].ratios]
        if from_aggregates:
            return min(from_aggregates)
        return self.defaults.get(key, engine_default)

    def capacity(self, host, settings):
        """Usable (vcpus, memory_mb, disk_gb) of ``host`` after overcommit and standby."""
        raw = (host.vcpus, host.memory_mb, host.disk_gb)
        keys = RATIO_KEYS
        defaults = (settings.default_cpu_allocation_ratio,
                    settings.default_ram_allocation_ratio,
                    settings.default_disk_allocation_ratio)
        standby = (settings.cpu_standby_ratio, settings.ram_standby_ratio,
                   settings.disk_standby_ratio)
        return tuple(
            amount * self.ratio(host, key, default) * (1.0 - spare / 100.0)
            for amount, key, default, spare in zip(raw, keys, defaults, standby, strict=True))

    def aggregate_metadata(self, host):
        """Aggregate metadata of ``host``: key -> set of values (as Nova sees it)."""
        merged = {}
        for name in host.aggregates:
            for key, value in self.aggregates[name].metadata.items():
                merged.setdefault(key, set()).add(str(value))
        return merged
