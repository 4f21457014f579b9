"""Synthetic data centres for tests, property tests and benchmarks.

:func:`generate_dict` writes the same YAML-shaped data an operator would (DESIGN §8)
and :func:`generate` passes it through :func:`ostro.inventory.file.build`, so
a generated data centre is validated exactly like an inventory file and can
be dumped to one for ``valet-sim``.

Names follow one pattern: cluster ``c01``, rack ``c01r02``, host
``c01r02h003``, storage backends ``cinder@c01#pool`` / ``cinder@c01r02#pool``.
Everything random comes from one :class:`random.Random` seeded by ``seed``,
drawn in a fixed order, so a seed always gives the same data centre.
"""

import random

from ostro.inventory import file as inventory_file

#: Flavors every generated data centre offers: name -> (vcpus, ram MB, disk GB).
STANDARD_FLAVORS = {
    "m1.tiny": (1, 512, 1),
    "m1.small": (1, 2048, 20),
    "m1.medium": (2, 4096, 40),
    "m1.large": (4, 8192, 80),
    "m1.xlarge": (8, 16384, 160),
}

#: A flavor only hosts of the ``ssd`` aggregate may take (Nova's
#: AggregateInstanceExtraSpecsFilter syntax).
SSD_FLAVOR = ("ssd.large", (4, 8192, 80), {"aggregate_instance_extra_specs:ssd": "true"})

#: Hardware models; rack k holds model k mod len(shapes).
DEFAULT_HOST_SHAPES = (
    {"vcpus": 32, "memory_mb": 131072, "disk_gb": 1000},
    {"vcpus": 64, "memory_mb": 262144, "disk_gb": 2000},
)

DEFAULT_RATIOS = {"cpu_allocation_ratio": 16.0, "ram_allocation_ratio": 1.5,
                  "disk_allocation_ratio": 1.0}

#: The ``dense`` aggregate's lower vCPU overcommit (hosts for CPU-bound work).
DENSE_CPU_RATIO = 4.0

#: Uplinks in Mbps when ``uplinks`` is on.
UPLINK_MBPS = {"host": 10000, "rack": 40000, "cluster": 160000}

CLUSTER_BACKEND_GB = 200000
RACK_BACKEND_GB = 20000

# Host dimension -> the ratio that scales it into usable capacity.
_RATIO_OF = {"vcpus": "cpu_allocation_ratio", "memory_mb": "ram_allocation_ratio",
             "disk_gb": "disk_allocation_ratio"}


def generate(clusters=2, racks_per_cluster=4, hosts_per_rack=8, seed=0, load=0.0,
             host_shapes=None, aggregates=True, backends=True, uplinks=True):
    """A :class:`~ostro.model.datacenter.Datacenter`; see :func:`generate_dict`."""
    data = generate_dict(clusters=clusters, racks_per_cluster=racks_per_cluster,
                         hosts_per_rack=hosts_per_rack, seed=seed, load=load,
                         host_shapes=host_shapes, aggregates=aggregates,
                         backends=backends, uplinks=uplinks)
    return inventory_file.build(data, source=f"<generated seed={seed}>")


def generate_dict(clusters=2, racks_per_cluster=4, hosts_per_rack=8, seed=0, load=0.0,
                  host_shapes=None, aggregates=True, backends=True, uplinks=True):
    """The inventory of a synthetic data centre as a YAML-shaped dict.

    ``load`` is the mean fraction of each host's usable capacity (raw amount
    times its allocation ratio) already taken by load Valet did not place;
    it never exceeds a host's capacity. ``host_shapes`` is a list of
    ``{vcpus, memory_mb, disk_gb}``. ``aggregates`` adds ``ssd`` (every other
    rack) and ``dense`` (each cluster's last rack, lower vCPU overcommit).
    ``backends``: ``False`` none, ``True`` one pool per cluster, ``"rack"``
    one per cluster plus one per rack. ``uplinks`` sets :data:`UPLINK_MBPS`.
    """
    if not 0.0 <= load <= 1.0:
        raise ValueError(f"load must be between 0 and 1, got {load!r}")
    if backends not in (False, True, "rack"):
        raise ValueError(f"backends must be False, True or 'rack', got {backends!r}")
    shapes = list(host_shapes or DEFAULT_HOST_SHAPES)
    rng = random.Random(seed)
    cluster_names = [f"c{c:02d}" for c in range(1, clusters + 1)]
    # rack name -> (its cluster, its position in the cluster)
    racks = {f"{cluster}r{position + 1:02d}": (cluster, position)
             for cluster in cluster_names for position in range(racks_per_cluster)}
    aggregate_specs = _aggregates(racks_per_cluster) if aggregates else {}
    data = {
        "datacenter": f"generated-{seed}",
        "defaults": dict(DEFAULT_RATIOS),
        "flavors": _flavors(),
        "clusters": {name: _uplink("cluster", uplinks) for name in cluster_names},
        "racks": {name: {"cluster": cluster, **_uplink("rack", uplinks)}
                  for name, (cluster, _) in racks.items()},
        "aggregates": {name: spec for name, (spec, _) in aggregate_specs.items()},
        "storage_backends": _backends(cluster_names, list(racks), backends, load, rng),
    }
    data["hosts"] = _hosts(racks, hosts_per_rack, shapes, aggregate_specs, load, rng, uplinks)
    return data


def _hosts(racks, hosts_per_rack, shapes, aggregate_specs, load, rng, uplinks):
    hosts = []
    for index, (rack, (_, position)) in enumerate(racks.items()):
        shape = shapes[index % len(shapes)]
        in_aggregates = [name for name, (_, member) in aggregate_specs.items()
                         if member(position)]
        for number in range(1, hosts_per_rack + 1):
            hosts.append(_host(f"{rack}h{number:03d}", rack, shape, in_aggregates,
                               aggregate_specs, load, rng, uplinks))
    return hosts


def _flavors():
    flavors = {name: {"vcpus": vcpus, "ram": ram, "disk": disk}
               for name, (vcpus, ram, disk) in STANDARD_FLAVORS.items()}
    name, (vcpus, ram, disk), extra_specs = SSD_FLAVOR
    flavors[name] = {"vcpus": vcpus, "ram": ram, "disk": disk,
                     "extra_specs": dict(extra_specs)}
    return flavors


def _aggregates(racks_per_cluster):
    """name -> (inventory entry, predicate on a rack's position in its cluster)."""
    last = racks_per_cluster - 1
    return {
        "ssd": ({"metadata": {"ssd": "true"}}, lambda position: position % 2 == 0),
        "dense": ({"metadata": {"cpu_profile": "dense"},
                   "cpu_allocation_ratio": DENSE_CPU_RATIO},
                  lambda position: position == last),
    }


def _uplink(level, uplinks):
    return {"uplink_mbps": UPLINK_MBPS[level]} if uplinks else {}


def _host(name, rack, shape, in_aggregates, aggregate_specs, load, rng, uplinks):
    host = {"name": name, "rack": rack, "vcpus": shape["vcpus"],
            "memory_mb": shape["memory_mb"], "disk_gb": shape["disk_gb"],
            **_uplink("host", uplinks)}
    if in_aggregates:
        host["aggregates"] = list(in_aggregates)
    if load > 0.0:
        fraction = _used_fraction(load, rng)
        if fraction > 0.0:
            ratios = _ratios(in_aggregates, aggregate_specs)
            # NOTE: int() rounds down, so usage never passes capacity.
            host["used"] = {dimension: int(shape[dimension] * ratios[key] * fraction)
                            for dimension, key in _RATIO_OF.items()}
    return host


def _ratios(in_aggregates, aggregate_specs):
    """The ratios ``Datacenter.ratio`` will find: aggregate minimum, else default."""
    ratios = dict(DEFAULT_RATIOS)
    for key in ratios:
        found = [aggregate_specs[name][0][key] for name in in_aggregates
                 if key in aggregate_specs[name][0]]
        if found:
            ratios[key] = min(found)
    return ratios


def _used_fraction(load, rng):
    """A host's used fraction; the mean over hosts is ``load``.

    NOTE: a quarter of the free share stays on wholly idle hosts (real data
    centres have some), so exclusivity and whole-host requests remain
    possible under load. Busy hosts draw uniformly around the mean that
    keeps the overall mean at ``load``, never outside [0, 1].
    """
    idle_share = (1.0 - load) / 4.0
    if rng.random() < idle_share:
        return 0.0
    busy_mean = load / (1.0 - idle_share)
    spread = min(busy_mean, 1.0 - busy_mean)
    return rng.uniform(busy_mean - spread, busy_mean + spread)


def _backends(cluster_names, rack_names, backends, load, rng):
    """Cinder pools: one per cluster, plus one per rack when ``backends == "rack"``."""
    if not backends:
        return []
    pools = [{"name": f"cinder@{cluster}#pool", "cluster": cluster,
              "capacity_gb": CLUSTER_BACKEND_GB, "volume_types": ["standard"]}
             for cluster in cluster_names]
    if backends == "rack":
        pools += [{"name": f"cinder@{rack}#pool", "rack": rack,
                   "capacity_gb": RACK_BACKEND_GB, "volume_types": ["standard", "fast"]}
                  for rack in rack_names]
    if load > 0.0:
        for pool in pools:
            pool["used_gb"] = int(pool["capacity_gb"] * _used_fraction(load, rng))
    return pools
