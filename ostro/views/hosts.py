"""A host as the API shows it (DESIGN §4)::

    {name, rack, cluster, availability_zone, enabled, aggregates,
     capacity: {vcpus, memory_mb, disk_gb}, used: {vcpus, memory_mb, disk_gb},
     uplink_mbps, bandwidth_used_mbps, groups, placements}

``capacity`` is what Valet may fill (allocation ratios applied, standby
kept back); ``used`` is that capacity minus the engine's headroom (load
Valet did not place included); ``uplink_mbps`` is null when unlimited.
"""

import collections
import math

#: The host dimensions shown, in the order of the engine's capacity arrays.
DIMENSIONS = ("vcpus", "memory_mb", "disk_gb")


def number(value):
    """A float as JSON shows it best: whole numbers as integers."""
    value = float(value)
    return int(value) if value.is_integer() else value


def _on_hosts(engine):
    """host name -> its live placements."""
    by_host = collections.defaultdict(list)
    for placement in engine.placements.values():
        by_host[placement.location].append(placement)
    return by_host


def show(engine, name, on_host=None):
    """Host ``name`` of ``engine`` (an :class:`ostro.engine.Engine`)."""
    if on_host is None:
        on_host = _on_hosts(engine)[name]
    host = engine.datacenter.hosts[name]
    compiled, state = engine.compiled, engine.state
    i = compiled.index[name]
    capacity = compiled.capacity[i, :len(DIMENSIONS)]
    used = capacity - state.headroom[i, :len(DIMENSIONS)]
    domain = int(compiled.domain["host"][i])
    uplink = host.uplink_mbps
    return {
        "name": host.name, "rack": host.rack, "cluster": host.cluster,
        "availability_zone": host.availability_zone, "enabled": bool(host.enabled),
        "aggregates": list(host.aggregates),
        "capacity": {dim: number(v) for dim, v in zip(DIMENSIONS, capacity, strict=True)},
        "used": {dim: number(v) for dim, v in zip(DIMENSIONS, used, strict=True)},
        "uplink_mbps": None if math.isinf(uplink) else number(uplink),
        "bandwidth_used_mbps": number(state.uplink_used["host"][domain]),
        "groups": sorted({ref.name for p in on_host for ref in p.groups}),
        "placements": sorted(p.orch_id for p in on_host),
    }


def show_all(engine):
    by_host = _on_hosts(engine)
    return [show(engine, name, by_host[name]) for name in engine.datacenter.hosts]
