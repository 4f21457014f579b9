"""The Nova baseline: nova's own filters and weighers, server by server.

Runs only where nova is installed (the ``bench`` extra).
"""

import collections

import pytest

pytest.importorskip("nova")

from benchmarks import nova_baseline  # noqa: E402
from ostro.config import EngineSettings  # noqa: E402
from ostro.inventory import file as inventory_file  # noqa: E402
from ostro.inventory import generated  # noqa: E402
from ostro.parse.resources import parse  # noqa: E402
from tests.support import stacks  # noqa: E402


@pytest.fixture
def small_datacenter():
    return generated.generate(clusters=1, racks_per_cluster=2, hosts_per_rack=4)


def _servers(count, flavor="m1.small", prefix="server"):
    return {f"{prefix}-{n}": {"type": "OS::Nova::Server", "name": f"{prefix}-{n}",
                              "properties": {"flavor": flavor}}
            for n in range(count)}


def _group(name, kind, level, members):
    return {name: {"type": "OS::Valet::GroupAssignment", "name": name,
                   "properties": {"group_type": kind, "level": level,
                                  "resources": list(members)}}}


def _place(datacenter, resources, mode="default"):
    return nova_baseline.place(datacenter, parse(resources, datacenter), mode=mode)


@pytest.mark.parametrize("mode", nova_baseline.MODES)
def test_anti_affinity_members_get_different_hosts(small_datacenter, mode):
    servers = _servers(5)
    resources = {**servers, **_group("spread", "diversity", "host", servers)}
    placements = _place(small_datacenter, resources, mode)
    assert None not in placements.values()
    assert len(set(placements.values())) == 5


@pytest.mark.parametrize("mode", nova_baseline.MODES)
def test_affinity_pair_shares_a_host(small_datacenter, mode):
    others = _servers(6, prefix="other")
    pair = _servers(2, prefix="pair")
    resources = {**others, **pair, **_group("together", "affinity", "host", pair)}
    placements = _place(small_datacenter, resources, mode)
    assert placements["pair-0"] is not None
    assert placements["pair-0"] == placements["pair-1"]


def test_default_spreads_and_pack_packs(small_datacenter):
    resources = _servers(8)
    spread = _place(small_datacenter, resources, "default")
    packed = _place(small_datacenter, resources, "pack")
    assert len(set(spread.values())) == 8
    assert len(set(packed.values())) == 1


def test_pack_mode_restores_nova_multipliers(small_datacenter):
    import nova.conf
    _place(small_datacenter, _servers(2), "pack")
    assert nova.conf.CONF.filter_scheduler.ram_weight_multiplier == 1.0
    assert nova.conf.CONF.filter_scheduler.cpu_weight_multiplier == 1.0


@pytest.mark.parametrize("mode", nova_baseline.MODES)
@pytest.mark.parametrize("load", [0.0, 0.7])
def test_capacity_is_never_exceeded(small_datacenter, mode, load):
    datacenter = generated.generate(clusters=1, racks_per_cluster=2, hosts_per_rack=4,
                                    load=load, seed=5)
    resources = _servers(300, flavor="m1.xlarge")
    stack = parse(resources, datacenter)
    placements = nova_baseline.place(datacenter, stack, mode=mode)
    assert None in placements.values(), "the data centre should run out of room"
    settings = EngineSettings()
    demand = collections.defaultdict(lambda: [0, 0, 0])
    for orch_id, host in placements.items():
        if host is not None:
            server = stack.resources[orch_id]
            for index, amount in enumerate((server.vcpus, server.memory_mb, server.disk_gb)):
                demand[host][index] += amount
    for name, (vcpus, memory_mb, disk_gb) in demand.items():
        host = datacenter.hosts[name]
        capacity = datacenter.capacity(host, settings)
        used = (vcpus + host.used.get("vcpus", 0), memory_mb + host.used.get("memory_mb", 0),
                disk_gb + host.used.get("disk_gb", 0))
        assert all(amount <= limit for amount, limit in zip(used, capacity, strict=True))


def test_aggregate_extra_specs_are_honoured(small_datacenter):
    placements = _place(small_datacenter, _servers(6, flavor="ssd.large"))
    assert {small_datacenter.hosts[host].rack for host in placements.values()} == {"c01r01"}


def test_availability_zone_and_disabled_hosts():
    data = generated.generate_dict(clusters=1, racks_per_cluster=2, hosts_per_rack=4)
    for host in data["hosts"]:
        if host["rack"] == "c01r02":
            host["availability_zone"] = "az2"
    data["hosts"][-1]["enabled"] = False
    datacenter = inventory_file.build(data)
    resources = _servers(6)
    for entry in resources.values():
        entry["properties"]["availability_zone"] = "az2"
    placements = _place(datacenter, resources)
    assert set(placements.values()) == {"c01r02h001", "c01r02h002", "c01r02h003"}


def test_volumes_are_left_unplaced(small_datacenter):
    resources = stacks.random_stack(4, 0, rules="none", volumes=2)
    placements = _place(small_datacenter, resources)
    kinds = {entry["type"]: [] for entry in resources.values()}
    for orch_id, entry in resources.items():
        kinds[entry["type"]].append(placements[orch_id])
    assert kinds["OS::Cinder::Volume"] == [None, None]
    assert None not in kinds["OS::Nova::Server"]


def test_only_host_level_groups_reach_nova(small_datacenter):
    resources = stacks.random_stack(60, 3, rules="mixed")
    stack = parse(resources, small_datacenter)
    groups = nova_baseline.server_groups(stack)
    assert groups
    for key, policy, _ in groups.values():
        group = stack.groups[key]
        assert group.level == "host"
        assert (group.kind, policy) in {("affinity", "affinity"),
                                        ("diversity", "anti-affinity")}
        assert all(leaf == unit for leaf, unit in stack.units(key).items())


def test_every_resource_gets_an_answer():
    datacenter = generated.generate(load=0.3)
    resources = stacks.random_stack(80, 9, rules="mixed", pipes=10, volumes=5)
    placements = _place(datacenter, resources)
    assert set(placements) == {orch_id for orch_id, entry in resources.items()
                               if entry["type"] in ("OS::Nova::Server", "OS::Cinder::Volume")}


def test_unknown_mode(small_datacenter):
    with pytest.raises(ValueError):
        _place(small_datacenter, _servers(1), "shuffle")


def test_placement_hands_over_at_most_max_placement_results(small_datacenter):
    import nova.conf
    nova.conf.CONF.set_override("max_placement_results", 2, group="scheduler")
    try:
        placements = _place(small_datacenter, _servers(6))
    finally:
        nova.conf.CONF.clear_override("max_placement_results", group="scheduler")
    assert set(placements.values()) == {"c01r01h001", "c01r01h002"}
