"""Per-location rules through the engine's public API (DESIGN §5): capacity
with overcommit and standby, disabled hosts, availability zones, aggregate
extra specs, volumes on storage backends, pipe bandwidth, and the objective.
"""

import re

import pytest

from ostro.errors import NoPlacement
from tests.unit.engine_fixtures import (
    assert_no_violations,
    build,
    datacenter,
    domain,
    engine,
    group,
    host_entry,
    host_name,
    hosts_used,
    inventory_data,
    locations,
    pipe,
    preload,
    server,
    servers,
    stack,
    volume,
)

H1, H2, H3 = host_name("r1", 1), host_name("r1", 2), host_name("r1", 3)


def one_host(edit=None):
    """One host (4 vCPU, 4096 MB, 100 GB raw) and a flavor "core" that only
    vCPU limits (1 vCPU, 64 MB, 1 GB) plus "mem" that only RAM limits."""
    data = inventory_data(clusters=1, racks_per_cluster=1, hosts_per_rack=1)
    data["flavors"]["core"] = {"vcpus": 1, "ram": 64, "disk": 1}
    data["flavors"]["mem"] = {"vcpus": 0, "ram": 1024, "disk": 1}
    if edit is not None:
        edit(data)
    return build(data)


# --- capacity ------------------------------------------------------------------------

def _engine_default(data):
    del data["defaults"]


def _inventory_default(data):
    data["defaults"] = {"cpu_allocation_ratio": 3.0}


def _aggregate_minimum(data):
    data["aggregates"] = {"a5": {"cpu_allocation_ratio": 5.0},
                          "a2": {"cpu_allocation_ratio": 2.5}}
    host_entry(data, H1)["aggregates"] = ["a5", "a2"]


def _host_over_aggregate(data):
    _aggregate_minimum(data)
    host_entry(data, H1)["cpu_allocation_ratio"] = 1.5


def _used(vcpus):
    def edit(data):
        preload(data, H1, vcpus=vcpus, memory_mb=0)
    return edit


def _ratio_and_used(data):
    host_entry(data, H1)["cpu_allocation_ratio"] = 2.0
    preload(data, H1, vcpus=3, memory_mb=0)


def _ram_ratio(data):
    data["defaults"]["ram_allocation_ratio"] = 1.5


@pytest.mark.parametrize("flavor, edit, settings, fits", [
    ("core", _engine_default, {"default_cpu_allocation_ratio": 2.0}, 8),   # 4 x 2
    ("core", _inventory_default, {"default_cpu_allocation_ratio": 2.0}, 12),
    ("core", _aggregate_minimum, {}, 10),          # min(5.0, 2.5) x 4
    ("core", _host_over_aggregate, {}, 6),         # the host's 1.5 beats its aggregates
    ("core", _used(3), {}, 1),                     # 4 - 3 already used
    ("core", _ratio_and_used, {}, 5),              # 4 x 2 - 3
    ("core", None, {"cpu_standby_ratio": 25.0}, 3),
    ("core", _ratio_and_used, {"cpu_standby_ratio": 25.0}, 3),   # 8 x 0.75 - 3
    ("mem", _ram_ratio, {}, 6),                    # 4096 x 1.5 / 1024
    ("mem", _ram_ratio, {"ram_standby_ratio": 50.0}, 3),
])
def test_capacity_counts_ratios_used_load_and_standby(flavor, edit, settings, fits):
    subject = engine(one_host(edit), **settings)
    plan = subject.plan(stack(*servers("s", fits, flavor)), stack_id="fill")
    assert set(locations(plan).values()) == {H1}

    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(server("extra", flavor)), stack_id="extra")
    assert caught.value.rule == "capacity"
    assert re.fullmatch(r"capacity left 0 of 1 hosts for extra \(needs .*\)",
                        caught.value.message), caught.value.message


def test_disabled_host_is_never_used_even_when_needed():
    def edit(data):
        host_entry(data, H1)["enabled"] = False
        preload(data, H1, vcpus=1)          # occupied: packing would prefer it
    dc = datacenter(edit, clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc)
    plan = subject.plan(stack(*servers("s", 4)), stack_id="fill")
    assert set(locations(plan).values()) == {H2}
    with pytest.raises(NoPlacement):
        subject.plan(stack(server("extra")), stack_id="extra")
    with pytest.raises(NoPlacement):
        engine(dc).plan(stack(server("pinned", zone=f"nova:{H1}")))


def test_enabled_occupied_host_is_preferred_control():
    # The control for the test above: enabled, the occupied host attracts.
    def edit(data):
        preload(data, H1, vcpus=1)
    dc = datacenter(edit, clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    assert locations(engine(dc).plan(stack(server("s"))))["s"] == H1


# --- availability zones --------------------------------------------------------------

def zoned_datacenter():
    """Racks r1, r2 in zone "nova", r3, r4 in "az2"; r1-h1 is occupied, so
    packing prefers it whenever a zone allows."""
    def edit(data):
        for host in data["hosts"]:
            if host["rack"] in ("r3", "r4"):
                host["availability_zone"] = "az2"
        preload(data, H1, vcpus=1)
    return datacenter(edit)


@pytest.mark.parametrize("zone, allowed", [
    (None, {H1}),
    ("nova", {H1}),
    ("az2", {host_name(r, n) for r in ("r3", "r4") for n in (1, 2)}),
    ("az2:r4-h2", {"r4-h2"}),
    ("nova:r2-h1", {"r2-h1"}),
    ("az2:r3-h1:r3-h1", {"r3-h1"}),      # zone:host:node (one node per host)
])
def test_availability_zone_and_zone_host(zone, allowed):
    subject = engine(zoned_datacenter())
    plan = subject.plan(stack(server("s", zone=zone)))
    assert locations(plan)["s"] in allowed
    assert_no_violations(subject)


@pytest.mark.parametrize("zone", ["az9", "az2:r1-h1", "nova:no-such-host"])
def test_availability_zone_refusal(zone):
    with pytest.raises(NoPlacement) as caught:
        engine(zoned_datacenter()).plan(stack(server("s", zone=zone)))
    assert caught.value.rule == "availability_zone"
    assert caught.value.resource == "s"
    assert f"asks for {zone}" in caught.value.message


# --- aggregate extra specs -----------------------------------------------------------

AGGREGATES = {
    "gold": {"metadata": {"ssd": "true", "speed": "10", "tier": "gold",
                          "cpu": "avx avx2 sse"}},
    "silver": {"metadata": {"ssd": "false", "speed": "20", "tier": "silver",
                            "cpu": "sse"}},
}


def aggregate_datacenter(extra_specs, occupied=None):
    """r1-h1 in "gold", r1-h2 in "silver", r1-h3 in no aggregate; flavor
    "spec" (small) carries ``extra_specs``; ``occupied`` gets foreign load
    so packing prefers it."""
    data = inventory_data(clusters=1, racks_per_cluster=1, hosts_per_rack=3)
    data["aggregates"] = AGGREGATES
    host_entry(data, H1)["aggregates"] = ["gold"]
    host_entry(data, H2)["aggregates"] = ["silver"]
    data["flavors"]["spec"] = {"vcpus": 1, "ram": 1024, "disk": 10,
                               "extra_specs": extra_specs}
    if occupied is not None:
        preload(data, occupied, vcpus=1)
    return build(data)


@pytest.mark.parametrize("extra_specs, matching", [
    ({"speed": "= 15"}, {H2}),                # Nova's "=" means "at least"
    ({"speed": "== 10"}, {H1}),
    ({"speed": "!= 10"}, {H2}),
    ({"speed": ">= 20"}, {H2}),
    ({"speed": "<= 10"}, {H1}),
    ({"tier": "s== gold"}, {H1}),
    ({"tier": "s!= gold"}, {H2}),
    ({"cpu": "<in> avx2"}, {H1}),
    ({"cpu": "<all-in> avx sse"}, {H1}),
    ({"cpu": "<all-in> sse"}, {H1, H2}),
    ({"tier": "<or> silver <or> bronze"}, {H2}),
    ({"ssd": "true"}, {H1}),                  # a plain string is equality
    ({"aggregate_instance_extra_specs:ssd": "false"}, {H2}),
    ({"ssd": "true", "speed": ">= 20"}, set()),   # every spec must hold
    ({"hw:cpu_policy": "dedicated"}, {H1, H2, H3}),   # other scopes are not ours
])
def test_aggregate_extra_specs_operators(extra_specs, matching):
    dc = aggregate_datacenter(extra_specs)
    for host in (H1, H2, H3):
        subject = engine(dc)
        resources = stack(server("s", "spec", zone=f"nova:{host}"))
        if host in matching:
            assert locations(subject.plan(resources))["s"] == host
        else:
            with pytest.raises(NoPlacement) as caught:
                subject.plan(resources)
            assert caught.value.rule == "aggregate_extra_specs", host
            assert "flavor spec" in caught.value.message


@pytest.mark.parametrize("extra_specs, matching, decoy", [
    ({"speed": ">= 20"}, H2, H1),
    ({"aggregate_instance_extra_specs:ssd": "true"}, H1, H2),
    ({"cpu": "<in> avx2"}, H1, H3),
])
def test_aggregate_extra_specs_steer_an_unpinned_server(extra_specs, matching, decoy):
    dc = aggregate_datacenter(extra_specs, occupied=decoy)
    # Control: a server without extra specs packs onto the occupied decoy.
    assert locations(engine(dc).plan(stack(server("plain"))))["plain"] == decoy
    assert locations(engine(dc).plan(stack(server("s", "spec"))))["s"] == matching


def test_aggregate_extra_specs_refusal_counts_hosts():
    with pytest.raises(NoPlacement) as caught:
        engine(aggregate_datacenter({"speed": ">= 30"})).plan(stack(server("s", "spec")))
    assert caught.value.rule == "aggregate_extra_specs"
    assert caught.value.message.startswith("aggregate_extra_specs left 0 of 3 hosts for s (")


# --- volumes -------------------------------------------------------------------------

def storage_datacenter():
    """One cluster c1 with racks r1, r2 (two hosts each) and four backends:
    one per rack (lvm), one for the cluster (ceph) and one shared (nfs)."""
    def edit(data):
        data["storage_backends"] = [
            {"name": "lvm-r1", "rack": "r1", "capacity_gb": 100, "volume_types": ["lvm"]},
            {"name": "lvm-r2", "rack": "r2", "capacity_gb": 100, "volume_types": ["lvm"]},
            {"name": "ceph-c1", "cluster": "c1", "capacity_gb": 1000,
             "volume_types": ["ceph"]},
            {"name": "shared", "capacity_gb": 1000, "volume_types": ["nfs"]},
        ]
    return datacenter(edit, clusters=1, racks_per_cluster=2, hosts_per_rack=2)


@pytest.mark.parametrize("volume_type, allowed", [
    ("lvm", {"lvm-r1", "lvm-r2"}),
    ("ceph", {"ceph-c1"}),
    ("nfs", {"shared"}),
])
def test_volume_goes_to_a_backend_of_its_type(volume_type, allowed):
    subject = engine(storage_datacenter())
    plan = subject.plan(stack(volume("v", 10, volume_type)))
    assert locations(plan)["v"] in allowed
    assert_no_violations(subject)


def test_volume_zone_and_disabled_backends():
    def edit(data):
        data["storage_backends"] = [
            {"name": "off", "capacity_gb": 1000, "enabled": False},
            {"name": "nova-pool", "capacity_gb": 1000},
            {"name": "az2-pool", "capacity_gb": 1000, "availability_zone": "az2"},
        ]
    dc = datacenter(edit)
    plan = engine(dc).plan(stack(volume("plain", 10), volume("zoned", 10, zone="az2")))
    assert locations(plan) == {"plain": "nova-pool", "zoned": "az2-pool"}


def test_volume_of_unknown_type_is_refused():
    with pytest.raises(NoPlacement) as caught:
        engine(storage_datacenter()).plan(stack(volume("v", 10, "gold")))
    assert caught.value.rule == "volume_type"
    assert caught.value.message == "volume_type left 0 of 4 backends for v (volume type gold)"


def test_volume_capacity_splits_and_refuses():
    subject = engine(storage_datacenter())
    plan = subject.plan(stack(volume("v1", 60, "lvm"), volume("v2", 60, "lvm")))
    assert {locations(plan)["v1"], locations(plan)["v2"]} == {"lvm-r1", "lvm-r2"}

    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(volume("v3", 50, "lvm")))
    assert caught.value.rule == "capacity"
    assert re.fullmatch(r"capacity left 0 of 2 backends for v3 \(needs 50 volume_gb\)",
                        caught.value.message), caught.value.message


@pytest.mark.parametrize("pinned_rack", ["r1", "r2"])
def test_volume_in_rack_affinity_lands_on_that_racks_backend(pinned_rack):
    dc = storage_datacenter()
    host = host_name(pinned_rack, 1)
    resources = stack(server("s", zone=f"nova:{host}"), volume("v", 10, "lvm"),
                      group("together", "affinity", "rack", ["s", "v"]))
    plan = engine(dc).plan(resources)
    assert locations(plan)["v"] == f"lvm-{pinned_rack}"
    assert domain(dc, locations(plan)["v"], "rack") == pinned_rack


def test_cluster_backend_serves_cluster_affinity_but_not_rack_affinity():
    dc = storage_datacenter()
    members = [server("s"), volume("v", 10, "ceph")]
    plan = engine(dc).plan(stack(*members,
                                 group("together", "affinity", "cluster", ["s", "v"])))
    assert locations(plan)["v"] == "ceph-c1"

    with pytest.raises(NoPlacement) as caught:
        engine(dc).plan(stack(*members, group("together", "affinity", "rack", ["s", "v"])))
    assert caught.value.rule == "affinity(rack)"
    assert caught.value.group == "together"


def test_shared_backend_belongs_to_no_rack():
    dc = storage_datacenter()
    members = [server("s"), volume("v", 10, "nfs")]
    assert locations(engine(dc).plan(stack(*members)))["v"] == "shared"
    with pytest.raises(NoPlacement) as caught:
        engine(dc).plan(stack(*members, group("together", "affinity", "rack", ["s", "v"])))
    assert caught.value.rule == "affinity(rack)"


def test_shared_backend_pipe_crosses_every_level():
    # A volume on the shared backend is in no domain: a pipe to it crosses
    # the host, rack and cluster uplinks of the server's end.
    def edit(data):
        data["storage_backends"] = [{"name": "shared", "capacity_gb": 1000}]
        data["racks"]["r1"]["uplink_mbps"] = 100
    dc = datacenter(edit, clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    with pytest.raises(NoPlacement) as caught:
        engine(dc).plan(stack(server("s"), volume("v", 10), pipe("p", "s", "v", 500)))
    assert caught.value.rule == "bandwidth"
    fits = engine(dc).plan(stack(server("s"), volume("v", 10), pipe("p", "s", "v", 100)))
    assert locations(fits)["v"] == "shared"


# --- pipes ---------------------------------------------------------------------------

def pipe_datacenter(rack_uplink=None, host_uplink=None):
    """Two racks of two hosts; r1-h1 and r2-h1 are occupied (3 vCPU free), so
    packing two 3-vCPU servers puts one in each rack."""
    def edit(data):
        preload(data, host_name("r1", 1), vcpus=1)
        preload(data, host_name("r2", 1), vcpus=1)
        for rack in data["racks"].values():
            if rack_uplink is not None:
                rack["uplink_mbps"] = rack_uplink
        for host in data["hosts"]:
            if host_uplink is not None:
                host["uplink_mbps"] = host_uplink
    return datacenter(edit, clusters=1, racks_per_cluster=2, hosts_per_rack=2)


def test_pipe_control_without_pipe_servers_split_across_racks():
    dc = pipe_datacenter()
    plan = engine(dc).plan(stack(*servers("s", 2, "three")))
    assert domain(dc, locations(plan)["s1"], "rack") != domain(dc, locations(plan)["s2"], "rack")


@pytest.mark.parametrize("rack_uplink", [100, None], ids=["tight-uplinks", "plenty"])
def test_pipe_keeps_its_ends_in_one_rack(rack_uplink):
    dc = pipe_datacenter(rack_uplink=rack_uplink)
    subject = engine(dc)
    plan = subject.plan(stack(*servers("s", 2, "three"), pipe("p", "s1", "s2", 500)))
    where = locations(plan)
    assert where["s1"] != where["s2"]      # they cannot share a host
    assert domain(dc, where["s1"], "rack") == domain(dc, where["s2"], "rack")
    assert_no_violations(subject)


def test_pipe_objective_puts_ends_on_one_host_even_when_spreading():
    dc = datacenter()
    spread = engine(dc, objective="spread").plan(stack(*servers("s", 2)))
    assert len(hosts_used(spread)) == 2     # control: spreading splits them
    plan = engine(dc, objective="spread").plan(
        stack(*servers("s", 2), pipe("p", "s1", "s2", 500)))
    assert len(hosts_used(plan)) == 1


def test_bandwidth_refusal_when_ends_cannot_share_a_host():
    dc = pipe_datacenter(host_uplink=100)
    with pytest.raises(NoPlacement) as caught:
        engine(dc).plan(stack(*servers("s", 2, "large"), pipe("p", "s1", "s2", 500)))
    error = caught.value
    assert error.rule == "bandwidth"
    assert error.resource in ("s1", "s2")
    assert re.fullmatch(r"bandwidth left 0 of \d+ hosts for s[12] \(pipes of 500 Mbps\)",
                        error.message), error.message


def test_uplink_use_is_remembered_across_plans():
    # Diversity(rack) forces each pipe across the rack uplinks (100 Mbps).
    dc = pipe_datacenter(rack_uplink=100)
    subject = engine(dc)

    def crossing(prefix, bandwidth):
        a, b = f"{prefix}a", f"{prefix}b"
        return stack(server(a), server(b), pipe(f"{prefix}p", a, b, bandwidth),
                     group(f"{prefix}g", "diversity", "rack", [a, b]))

    subject.plan(crossing("x", 60), stack_id="first")
    with pytest.raises(NoPlacement) as caught:
        subject.plan(crossing("y", 60), stack_id="second")
    assert caught.value.rule == "bandwidth"
    subject.plan(crossing("z", 40), stack_id="third")   # exactly what is left


# --- objective -----------------------------------------------------------------------

@pytest.mark.parametrize("objective, hosts", [("pack", 1), ("spread", 4)])
def test_objective_pack_uses_fewest_hosts_spread_most(objective, hosts):
    subject = engine(datacenter(), objective=objective)
    plan = subject.plan(stack(*servers("s", 4)))
    assert len(hosts_used(plan)) == hosts


@pytest.mark.parametrize("objective, expect_occupied", [("pack", True), ("spread", False)])
def test_objective_decides_between_occupied_and_empty_hosts(objective, expect_occupied):
    # r1-h1 already holds load: packing fills it, spreading avoids it.
    dc = datacenter(lambda data: preload(data, H1, vcpus=1))
    plan = engine(dc, objective=objective).plan(stack(server("s")))
    assert (locations(plan)["s"] == H1) is expect_occupied
