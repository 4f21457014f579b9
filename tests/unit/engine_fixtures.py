"""Small data centres and Heat resources for the engine's behaviour tests.

The data centres are plain inventory dicts (DESIGN §8) turned into a
:class:`~ostro.model.datacenter.Datacenter` by ``ostro.inventory.file.build``,
so a test edits the dict to set up exactly the situation it needs.

Allocation ratios are 1.0 unless a test says otherwise, so a host's capacity
is its raw size: 4 vCPU, 4096 MB, 100 GB.  Flavors are fractions of a host,
which makes "how many fit" easy to count by hand.
"""

import copy

import numpy as np

from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.inventory import file as inventory
from ostro.model.topology import NamedGroup
from ostro.verify import checker

HOST_SIZE = {"vcpus": 4, "memory_mb": 4096, "disk_gb": 100}

UNIT_RATIOS = {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
               "disk_allocation_ratio": 1.0}

FLAVORS = {
    "small": {"vcpus": 1, "ram": 1024, "disk": 10},    # a quarter of a host
    "half": {"vcpus": 2, "ram": 2048, "disk": 20},
    "three": {"vcpus": 3, "ram": 3072, "disk": 30},
    "large": {"vcpus": 4, "ram": 4096, "disk": 40},    # a whole host (vCPU and RAM)
}


def host_name(rack, number):
    return f"{rack}-h{number}"


def inventory_data(clusters=2, racks_per_cluster=2, hosts_per_rack=2):
    """Clusters c1.., racks r1.. (numbered across clusters), hosts ``r1-h1``..

    The default is 2 clusters x 2 racks x 2 hosts: c1 = {r1, r2}, c2 = {r3, r4}.
    """
    data = {"datacenter": "dc-test", "defaults": dict(UNIT_RATIOS),
            "flavors": copy.deepcopy(FLAVORS), "clusters": {}, "racks": {},
            "aggregates": {}, "hosts": [], "storage_backends": []}
    rack_number = 0
    for cluster_number in range(1, clusters + 1):
        cluster = f"c{cluster_number}"
        data["clusters"][cluster] = {}
        for _ in range(racks_per_cluster):
            rack_number += 1
            rack = f"r{rack_number}"
            data["racks"][rack] = {"cluster": cluster}
            for number in range(1, hosts_per_rack + 1):
                data["hosts"].append({"name": host_name(rack, number), "rack": rack,
                                      **HOST_SIZE})
    return data


def host_entry(data, name):
    return next(host for host in data["hosts"] if host["name"] == name)


def preload(data, name, vcpus, memory_mb=None, disk_gb=0):
    """Put load Valet did not place on a host (``used`` in the inventory)."""
    memory_mb = vcpus * 1024 if memory_mb is None else memory_mb
    host_entry(data, name)["used"] = {"vcpus": vcpus, "memory_mb": memory_mb,
                                      "disk_gb": disk_gb}
    return data


def build(data):
    return inventory.build(copy.deepcopy(data))


def datacenter(edit=None, **shape):
    data = inventory_data(**shape)
    if edit is not None:
        edit(data)
    return build(data)


def engine(dc, named_groups=(), **settings):
    """An engine over ``dc``; ``named_groups`` are (name, kind, level) triples."""
    groups = [NamedGroup(name, kind, level) for name, kind, level in named_groups]
    return Engine(dc, EngineSettings(**settings), named_groups=groups)


# --- Heat resources ------------------------------------------------------------------

def orch_id(name):
    # NOTE: orch ids differ from names so a test notices which one the engine uses.
    return f"orch-{name}"


def server(name, flavor="small", zone=None, groups=(), **properties):
    """One ``OS::Nova::Server``; ``groups`` are named groups joined through
    ``metadata.valet.groups``."""
    properties = {"flavor": flavor, **properties}
    if zone is not None:
        properties["availability_zone"] = zone
    if groups:
        properties["metadata"] = {"valet": {"groups": list(groups)}}
    return orch_id(name), {"type": "OS::Nova::Server", "name": name,
                           "properties": properties}


def volume(name, size, volume_type=None, zone=None):
    properties = {"size": size}
    if volume_type is not None:
        properties["volume_type"] = volume_type
    if zone is not None:
        properties["availability_zone"] = zone
    return orch_id(name), {"type": "OS::Cinder::Volume", "name": name,
                           "properties": properties}


def group(name, kind, level, members):
    """An in-stack ``OS::Valet::GroupAssignment`` over resource or group names."""
    return orch_id(name), {"type": "OS::Valet::GroupAssignment", "name": name,
                           "properties": {"group_type": kind, "group_name": name,
                                          "level": level, "resources": list(members)}}


def pipe(name, first, second, bandwidth):
    return orch_id(name), {"type": "ATT::QoS::Pipe", "name": name,
                           "properties": {"resources": [first, second],
                                          "bandwidth": bandwidth}}


def stack(*resources):
    """A plan's ``resources`` object from ``(orch id, entry)`` pairs."""
    return dict(resources)


def servers(prefix, count, flavor="small", **fields):
    return [server(f"{prefix}{number}", flavor, **fields) for number in range(1, count + 1)]


# --- reading answers -----------------------------------------------------------------

def locations(plan):
    """Resource name -> location of every placement of ``plan``."""
    return {placement.name: placement.location for placement in plan.placements.values()}


def domain(dc, location, level):
    return dc.location(location).domain(level)


def domains(dc, plan, names, level):
    where = locations(plan)
    return [domain(dc, where[name], level) for name in names]


def hosts_used(plan):
    return {p.location for p in plan.placements.values() if p.resource.kind == "server"}


def assert_no_violations(engine_):
    """The independent checker agrees every placement is on a fitting,
    enabled location in its zone and within capacity."""
    violations = checker.check(engine_.datacenter, engine_.placements.values(),
                              settings=engine_.settings)
    assert violations == [], [v.message for v in violations]


def snapshot(engine_):
    """Copies of the search state's arrays, to compare before and after."""
    state = engine_.state
    return {"used": state.used.copy(),
            **{f"{name}.{level}": array.copy()
               for name in ("servers_in", "exclusive", "uplink_used", "new_in")
               for level, array in getattr(state, name).items()}}


def assert_same_state(before, after):
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_array_equal(before[key], after[key], err_msg=key)
