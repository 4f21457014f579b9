"""The independent checker: every rule of DESIGN §5, one passing and one
failing case at least, and each of Nova's extra-spec operators."""

import dataclasses
import time

import pytest

from ostro.config import EngineSettings
from ostro.inventory import file as inventory
from ostro.model.placement import GroupMembers, Placement
from ostro.model.topology import Pipe, Server, Volume
from ostro.verify import checker


def base():
    """A small data centre: two clusters, three racks, six hosts, four backends.

    Ratios are 1.0 so a host's capacity is its raw size (4 vCPU, 4096 MB, 100 GB).
    """
    host = {"vcpus": 4, "memory_mb": 4096, "disk_gb": 100}
    return {
        "datacenter": "dc1",
        "defaults": {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
                     "disk_allocation_ratio": 1.0},
        "clusters": {"c01": {}, "c02": {}},
        "racks": {"r01": {"cluster": "c01"}, "r02": {"cluster": "c01"},
                  "r03": {"cluster": "c02"}},
        "aggregates": {
            "ssd": {"metadata": {"ssd": "true", "speed": "10"}},
            "fast": {"metadata": {"speed": "20", "cpu_info": "avx avx2 sse"}},
        },
        "hosts": [
            {"name": "h01", "rack": "r01", "aggregates": ["ssd"], **host},
            {"name": "h02", "rack": "r01", "aggregates": ["ssd", "fast"], **host},
            {"name": "h03", "rack": "r02", **host},
            {"name": "h04", "rack": "r02", **host},
            {"name": "h05", "rack": "r03", "availability_zone": "az2", **host},
            {"name": "h06", "rack": "r03", "enabled": False, **host},
        ],
        "storage_backends": [
            {"name": "lvm-r01", "rack": "r01", "capacity_gb": 100, "used_gb": 20,
             "volume_types": ["lvm"]},
            {"name": "ceph-c01", "cluster": "c01", "capacity_gb": 1000,
             "volume_types": ["ceph", "rbd"]},
            {"name": "shared", "capacity_gb": 1000},
            {"name": "az2-pool", "capacity_gb": 1000, "availability_zone": "az2"},
            {"name": "off-pool", "capacity_gb": 1000, "enabled": False},
        ],
    }


def datacenter(edit=None):
    data = base()
    if edit:
        edit(data)
    return inventory.build(data)


def host_entry(data, name):
    return next(h for h in data["hosts"] if h["name"] == name)


def server(name, vcpus=1, memory_mb=512, disk_gb=10, **fields):
    # NOTE: orch ids differ from names so a test sees which one verify reports.
    return Server(f"id-{name}", name, vcpus, memory_mb, disk_gb, **fields)


def volume(name, size_gb=10, **fields):
    return Volume(f"id-{name}", name, size_gb, **fields)


def place(resource, location):
    return Placement(resource.orch_id, resource, location)


def group(kind, level, *resources, name="g", units=None):
    units = units or {r.orch_id: r.orch_id for r in resources}
    return GroupMembers(f"key-{name}", name, kind, level, units)


def only(violations, rule):
    """The one violation, checked to be of ``rule``."""
    assert len(violations) == 1, violations
    assert violations[0].rule == rule
    return violations[0]


# --- location -----------------------------------------------------------------------

def test_violation_is_frozen_and_prints_its_message():
    violation = checker.Violation("capacity", "web-1", None, "h01", "too big")
    with pytest.raises(dataclasses.FrozenInstanceError):
        violation.rule = "other"
    assert str(violation) == "too big"


def test_clean_placements_have_no_violations():
    placements = [place(server("web-1"), "h01"), place(volume("vol-1"), "lvm-r01")]
    assert checker.check(datacenter(), placements) == []


@pytest.mark.parametrize("resource, location, words", [
    (server("web-1"), "h99", "location h99 does not exist"),
    (server("web-1"), "lvm-r01", "must be on a host but lvm-r01 is a backend"),
    (volume("vol-1"), "h01", "must be on a backend but h01 is a host"),
    (server("web-1"), "h06", "host h06 is disabled"),
    (volume("vol-1"), "off-pool", "backend off-pool is disabled"),
])
def test_location_must_exist_fit_the_resource_and_be_enabled(resource, location, words):
    violation = only(checker.check(datacenter(), [place(resource, location)]), "location")
    assert violation.resource == resource.name
    assert violation.location == location
    assert words in violation.message


# --- capacity -----------------------------------------------------------------------

def test_servers_that_exactly_fill_a_host_pass():
    servers = [server(f"web-{i}", vcpus=2, memory_mb=2048, disk_gb=50) for i in (1, 2)]
    assert checker.check(datacenter(), [place(s, "h01") for s in servers]) == []


@pytest.mark.parametrize("dimension, demand, total, capacity", [
    ("vcpus", {"vcpus": 2}, 8, 4),
    ("memory_mb", {"memory_mb": 2048}, 8192, 4096),
    ("disk_gb", {"disk_gb": 40}, 160, 100),
])
def test_host_capacity_names_host_dimension_and_first_server_over(
        dimension, demand, total, capacity):
    servers = [server(f"web-{i}", **demand) for i in (1, 2, 3, 4)]
    violation = only(checker.check(datacenter(), [place(s, "h02") for s in servers]),
                     "capacity")
    assert violation.resource == "web-3"
    assert violation.location == "h02"
    assert f"host h02 {dimension}: {total} used > {capacity} capacity" in violation.message


def test_capacity_message_writes_large_and_fractional_amounts_plainly():
    def edit(data):
        host_entry(data, "h01")["memory_mb"] = 1048576
        host_entry(data, "h02")["cpu_allocation_ratio"] = 0.625   # 4 x 0.625 = 2.5
    placements = [place(server("big", memory_mb=1048577), "h01"),
                  place(server("wide", vcpus=3), "h02")]
    messages = [v.message for v in checker.check(datacenter(edit), placements)]
    assert messages == [
        "host h01 memory_mb: 1048577 used > 1048576 capacity (big does not fit)",
        "host h02 vcpus: 3 used > 2.5 capacity (wide does not fit)"]


@pytest.mark.parametrize("vcpus, ok", [(1, True), (2, False)])
def test_foreign_load_counts_against_host_capacity(vcpus, ok):
    def edit(data):
        host_entry(data, "h01")["used"] = {"vcpus": 3}
    violations = checker.check(datacenter(edit), [place(server("web-1", vcpus=vcpus), "h01")])
    assert [v.rule for v in violations] == ([] if ok else ["capacity"])


def _no_defaults(data):
    del data["defaults"]


def _inventory_default(data):
    data["defaults"] = {"cpu_allocation_ratio": 3.0}


def _aggregate_minimum(data):
    data["aggregates"]["a5"] = {"cpu_allocation_ratio": 5.0}
    data["aggregates"]["a2"] = {"cpu_allocation_ratio": 2.5}
    host_entry(data, "h01")["aggregates"] = ["ssd", "a5", "a2"]


def _host_ratio(data):
    _aggregate_minimum(data)
    host_entry(data, "h01")["cpu_allocation_ratio"] = 6.0


@pytest.mark.parametrize("dimension, edit, settings, capacity", [
    ("vcpus", _no_defaults, None, 64),                      # engine default 16
    ("memory_mb", _no_defaults, None, 6144),                # engine default 1.5
    ("vcpus", _no_defaults, {"default_cpu_allocation_ratio": 2.0}, 8),
    ("vcpus", _inventory_default, {"default_cpu_allocation_ratio": 2.0}, 12),
    ("vcpus", _aggregate_minimum, None, 10),                # min(5.0, 2.5) x 4
    ("vcpus", _host_ratio, None, 24),                       # host beats aggregates
    ("vcpus", None, {"cpu_standby_ratio": 50.0}, 2),
    ("memory_mb", None, {"ram_standby_ratio": 25.0}, 3072),
    ("disk_gb", None, {"disk_standby_ratio": 10.0}, 90),
])
def test_ratios_and_standby_set_the_capacity(dimension, edit, settings, capacity):
    dc = datacenter(edit)
    engine = EngineSettings(**settings) if settings else None
    small = {"vcpus": 0, "memory_mb": 0, "disk_gb": 0}

    def at(amount):
        return [place(server("web-1", **{**small, dimension: amount}), "h01")]

    assert checker.check(dc, at(capacity), settings=engine) == []
    violation = only(checker.check(dc, at(capacity + 1), settings=engine), "capacity")
    assert f"{capacity} capacity" in violation.message


def test_capacity_allows_float_rounding():
    def edit(data):
        host_entry(data, "h01")["disk_gb"] = 30
    dc = datacenter(edit)
    settings = EngineSettings(disk_standby_ratio=90.0)  # 30 x 0.1 = 2.999999999999999
    assert dc.capacity(dc.hosts["h01"], settings)[2] < 3
    fits = [place(server("web-1", disk_gb=3), "h01")]
    assert checker.check(dc, fits, settings=settings) == []
    too_big = [place(server("web-1", disk_gb=4), "h01")]
    assert only(checker.check(dc, too_big, settings=settings), "capacity")


@pytest.mark.parametrize("sizes, over", [((50, 30), None), ((50, 31), "vol-2")])
def test_backend_capacity_counts_used_space(sizes, over):
    volumes = [volume(f"vol-{i}", size) for i, size in enumerate(sizes, start=1)]
    violations = checker.check(datacenter(), [place(v, "lvm-r01") for v in volumes])
    if over is None:
        assert violations == []
    else:
        violation = only(violations, "capacity")
        assert violation.resource == over
        assert "backend lvm-r01 volume_gb: 101 used > 100 capacity" in violation.message


# --- availability zone and volume type ---------------------------------------------

@pytest.mark.parametrize("wanted, location, ok", [
    (None, "h01", True),
    ("", "h01", True),
    ("nova", "h01", True),
    ("az2", "h01", False),
    ("az2", "h05", True),
    ("nova:h01", "h01", True),
    ("nova:h02", "h01", False),
    ("az2:h01", "h01", False),
    (":h01", "h01", True),
    (":h02", "h01", False),
    ("nova:", "h01", True),
    ("az2:", "h01", False),
    ("nova:h01:h01", "h01", True),
    ("nova::h02", "h01", False),
])
def test_server_availability_zone(wanted, location, ok):
    resource = server("web-1", availability_zone=wanted)
    violations = checker.check(datacenter(), [place(resource, location)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "availability_zone")
        assert violation.resource == "web-1"
        assert f"asks for availability zone {wanted!r}" in violation.message


@pytest.mark.parametrize("location, ok", [("az2-pool", True), ("shared", False)])
def test_volume_availability_zone(location, ok):
    resource = volume("vol-1", availability_zone="az2")
    violations = checker.check(datacenter(), [place(resource, location)])
    assert [v.rule for v in violations] == ([] if ok else ["availability_zone"])


@pytest.mark.parametrize("volume_type, location, ok", [
    (None, "lvm-r01", True),
    ("lvm", "lvm-r01", True),
    ("ceph", "lvm-r01", False),
    ("rbd", "ceph-c01", True),
    ("lvm", "ceph-c01", False),
    ("anything", "shared", True),  # a backend with no types takes any
])
def test_volume_type(volume_type, location, ok):
    resource = volume("vol-1", volume_type=volume_type)
    violations = checker.check(datacenter(), [place(resource, location)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "volume_type")
        assert violation.resource == "vol-1"
        assert f"needs volume type {volume_type!r} but {location}" in violation.message


# --- aggregate extra specs ----------------------------------------------------------

@pytest.mark.parametrize("value, requirement, ok", [
    ("true", "true", True),
    ("false", "true", False),
    ("3", "2", False),             # no operator: whole-string equality
    ("s==", "s==", False),         # an operator with no operand never matches
    ("4", "= 2", True),            # "=" means at least
    ("2", "= 2", True),
    ("1", "= 2", False),
    ("abc", "= 2", False),
    ("2.0", "== 2", True),
    ("3", "== 2", False),
    ("x", "== 2", False),
    ("3", "!= 2", True),
    ("2", "!= 2.0", False),
    ("x", "!= 2", False),          # not a number: no match even for "!="
    ("3", ">= 3", True),
    ("2", ">= 3", False),
    ("3", "<= 3", True),
    ("4", "<= 3", False),
    ("abc", "s== abc", True),
    ("abd", "s== abc", False),
    ("abd", "s!= abc", True),
    ("abc", "s!= abc", False),
    ("10", "s< 9", True),          # strings, not numbers
    ("abd", "s< abc", False),
    ("abc", "s<= abc", True),
    ("abd", "s<= abc", False),
    ("b", "s> a", True),
    ("9", "s> 10", True),
    ("a", "s> b", False),
    ("a", "s>= a", True),
    ("a", "s>= b", False),
    ("avx avx2", "<in> avx2", True),
    ("sse", "<in> avx2", False),
    ("avx avx2 sse", "<all-in> avx sse", True),
    ("avx sse", "<all-in> avx avx2", False),
    ("avx", "<all-in>", False),
    ("b", "<or> a <or> b <or> c", True),
    ("d", "<or> a <or> b", False),
    ("<or>", "<or> a <or> b", False),  # the separator is not an alternative
])
def test_nova_extra_spec_operators(value, requirement, ok):
    assert checker.spec_matches(value, requirement) is ok


@pytest.mark.parametrize("extra_specs, location, ok", [
    ({"ssd": "true"}, "h01", True),
    ({"ssd": "true"}, "h03", False),
    ({"aggregate_instance_extra_specs:ssd": "true"}, "h01", True),
    ({"aggregate_instance_extra_specs:ssd": "true"}, "h03", False),
    ({"hw:cpu_policy": "dedicated"}, "h03", True),      # another filter's scope
    ({"valet": '{"groups": ["ha"]}'}, "h03", True),     # Valet's own key
    ({"speed": ">= 15"}, "h02", True),                  # one of 10 and 20 matches
    ({"speed": ">= 15"}, "h01", False),
    ({"cpu_info": "<all-in> avx2 sse"}, "h02", True),
])
def test_aggregate_extra_specs(extra_specs, location, ok):
    resource = server("web-1", extra_specs=extra_specs)
    violations = checker.check(datacenter(), [place(resource, location)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "aggregate_extra_specs")
        assert violation.resource == "web-1"
        assert violation.location == location


def test_aggregate_extra_specs_reports_each_unmet_key_and_the_values_held():
    resource = server("web-1", extra_specs={"ssd": "false", "speed": "= 5"})
    violation = only(checker.check(datacenter(), [place(resource, "h01")]),
                     "aggregate_extra_specs")
    assert "needs aggregate ssd 'false' but host h01 holds ['true']" in violation.message


def test_aggregate_extra_specs_missing_metadata_is_named():
    resource = server("web-1", extra_specs={"gpu": "true"})
    violation = only(checker.check(datacenter(), [place(resource, "h01")]),
                     "aggregate_extra_specs")
    assert "host h01 has no such metadata" in violation.message


# --- groups -------------------------------------------------------------------------

A, B, C = server("a"), server("b"), server("c")


@pytest.mark.parametrize("level, locations, ok", [
    ("host", ("h01", "h01"), True),
    ("host", ("h01", "h02"), False),
    ("rack", ("h01", "h02"), True),
    ("rack", ("h01", "h03"), False),
    ("cluster", ("h01", "h03"), True),
    ("cluster", ("h01", "h05"), False),
])
def test_affinity_between_servers(level, locations, ok):
    placements = [place(s, loc) for s, loc in zip((A, B), locations, strict=True)]
    violations = checker.check(datacenter(), placements, groups=[group("affinity", level, A, B)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "affinity")
        assert (violation.resource, violation.group) == ("b", "g")
        assert violation.message.startswith(f"affinity({level}) of group g: a is in {level} ")


@pytest.mark.parametrize("level, backend, ok", [
    ("rack", "lvm-r01", True),
    ("cluster", "ceph-c01", True),
    ("rack", "ceph-c01", False),   # a cluster backend has no rack
    ("rack", "shared", False),
    ("host", "lvm-r01", False),    # no backend is on a host
])
def test_affinity_with_a_volume(level, backend, ok):
    vol = volume("vol-1")
    placements = [place(A, "h01"), place(vol, backend)]
    violations = checker.check(datacenter(), placements,
                              groups=[group("affinity", level, A, vol)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "affinity")
        assert violation.resource == "vol-1"
        assert f"vol-1 on {backend} has no {level}" in violation.message


def test_affinity_ignores_unplaced_members():
    placements = [place(A, "h01"), place(B, "h01")]
    rule = group("affinity", "host", A, B, C)
    assert checker.check(datacenter(), placements, groups=[rule]) == []


def test_group_rules_may_come_as_a_mapping():
    placements = [place(A, "h01"), place(B, "h02")]
    rule = group("affinity", "host", A, B)
    assert only(checker.check(datacenter(), placements, groups={rule.key: rule}), "affinity")


def test_unknown_group_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown kind 'together'"):
        checker.check(datacenter(), [place(A, "h01")], groups=[group("together", "host", A)])


@pytest.mark.parametrize("level, locations, shared", [
    ("host", ("h01", "h02"), None),
    ("host", ("h01", "h01"), "h01"),
    ("rack", ("h01", "h03"), None),
    ("rack", ("h01", "h02"), "r01"),
    ("cluster", ("h01", "h05"), None),
    ("cluster", ("h01", "h03"), "c01"),
])
def test_diversity_between_servers(level, locations, shared):
    placements = [place(s, loc) for s, loc in zip((A, B), locations, strict=True)]
    violations = checker.check(datacenter(), placements,
                              groups=[group("diversity", level, A, B, name="db-div")])
    if shared is None:
        assert violations == []
    else:
        violation = only(violations, "diversity")
        assert violation.resource == "b"
        assert violation.group == "db-div"
        assert violation.message == (
            f"diversity({level}) of group db-div: a and b share {level} {shared}")


@pytest.mark.parametrize("level, backend, ok", [
    ("rack", "shared", True),      # no rack: nothing to share
    ("host", "lvm-r01", True),     # no host: nothing to share
    ("rack", "lvm-r01", False),
    ("cluster", "ceph-c01", False),
])
def test_diversity_between_volumes(level, backend, ok):
    first, second = volume("vol-1", 1), volume("vol-2", 1)
    placements = [place(first, backend), place(second, backend)]
    violations = checker.check(datacenter(), placements,
                              groups=[group("diversity", level, first, second)])
    assert [v.rule for v in violations] == ([] if ok else ["diversity"])


@pytest.mark.parametrize("c_location, clashes", [("h02", 0), ("h01", 1)])
def test_diversity_lets_leaves_of_one_nested_unit_share(c_location, clashes):
    units = {A.orch_id: "pair", B.orch_id: "pair", C.orch_id: C.orch_id}
    placements = [place(A, "h01"), place(B, "h01"), place(C, c_location)]
    violations = checker.check(datacenter(), placements,
                              groups=[group("diversity", "host", units=units)])
    assert [v.resource for v in violations] == ["c"] * clashes


def test_diversity_reports_a_nested_unit_once_per_domain():
    units = {A.orch_id: "pair", C.orch_id: C.orch_id, B.orch_id: "pair"}
    placements = [place(A, "h01"), place(B, "h01"), place(C, "h01")]
    violation = only(checker.check(datacenter(), placements,
                                  groups=[group("diversity", "host", units=units)]),
                     "diversity")
    assert violation.message.endswith("a and c share host h01")


def test_diversity_reports_every_extra_unit_in_a_domain():
    placements = [place(A, "h01"), place(B, "h01"), place(C, "h01")]
    violations = checker.check(datacenter(), placements,
                              groups=[group("diversity", "host", A, B, C)])
    assert [v.resource for v in violations] == ["b", "c"]


@pytest.mark.parametrize("hosts, limit, extra", [
    (("h01", "h01", "h02"), 2, []),        # two on h01: at the limit
    (("h01", "h01", "h01"), 2, ["c"]),     # the third on h01 is one too many
    (("h01", "h01", "h01"), 3, []),
])
def test_diversity_allows_max_per_domain_units(hosts, limit, extra):
    placements = [place(r, h) for r, h in zip((A, B, C), hosts, strict=True)]
    rule = group("diversity", "host", A, B, C)
    rule.max_per_domain = limit
    violations = checker.check(datacenter(), placements, groups=[rule])
    assert [v.resource for v in violations] == extra
    for violation in violations:
        assert violation.message.endswith(
            "c joins a, b in host h01: more than max_per_domain 2 members")


def test_diversity_limit_counts_a_nested_unit_once():
    # a and b are one unit: with c that is two units on h01, within a limit of 2.
    units = {A.orch_id: "pair", B.orch_id: "pair", C.orch_id: C.orch_id}
    placements = [place(A, "h01"), place(B, "h01"), place(C, "h01")]
    rule = group("diversity", "host", units=units)
    rule.max_per_domain = 2
    assert checker.check(datacenter(), placements, groups=[rule]) == []


@pytest.mark.parametrize("level, outsider, location, clash", [
    ("rack", server("x"), "h03", None),
    ("rack", server("x"), "h02", "r01"),
    ("host", server("x"), "h02", None),
    ("host", server("x"), "h01", "h01"),
    ("rack", volume("x"), "lvm-r01", None),   # volumes never occupy a domain
])
def test_exclusivity_keeps_outside_servers_out(level, outsider, location, clash):
    placements = [place(A, "h01"), place(B, "h01"), place(outsider, location)]
    violations = checker.check(datacenter(), placements,
                              groups=[group("exclusivity", level, A, B, name="ex")])
    if clash is None:
        assert violations == []
    else:
        violation = only(violations, "exclusivity")
        assert (violation.resource, violation.group, violation.location) == ("a", "ex", location)
        assert violation.message == (
            f"exclusivity({level}) of group ex: {level} {clash} of a also holds x")


def test_exclusivity_domain_of_a_member_volume_counts():
    vol = volume("vol-1")
    placements = [place(vol, "ceph-c01"), place(server("x"), "h03")]
    violation = only(checker.check(datacenter(), placements,
                                  groups=[group("exclusivity", "cluster", vol)]),
                     "exclusivity")
    assert "cluster c01 of vol-1 also holds x" in violation.message


@pytest.mark.parametrize("loaded_host, level, ok", [
    ("h02", "host", True),
    ("h02", "rack", False),
    ("h01", "host", False),
    ("h03", "rack", True),
    ("h03", "cluster", False),
])
def test_exclusivity_and_foreign_load(loaded_host, level, ok):
    def edit(data):
        host_entry(data, loaded_host)["used"] = {"memory_mb": 512}
    violations = checker.check(datacenter(edit), [place(A, "h01")],
                              groups=[group("exclusivity", level, A)])
    if ok:
        assert violations == []
    else:
        violation = only(violations, "exclusivity")
        assert violation.location == loaded_host
        assert f"has foreign load on host {loaded_host}" in violation.message


# --- pipes --------------------------------------------------------------------------

def tight(data):
    """Every host, rack and cluster uplink carries at most 10 Mbps."""
    for host in data["hosts"]:
        host["uplink_mbps"] = 10
    for domains in (data["racks"], data["clusters"]):
        for spec in domains.values():
            spec["uplink_mbps"] = 10


@pytest.mark.parametrize("first, second, charged", [
    ((server("a"), "h01"), (server("b"), "h01"), set()),
    ((server("a"), "h01"), (server("b"), "h02"), {"h01", "h02"}),
    ((server("a"), "h01"), (server("b"), "h03"), {"h01", "h03", "r01", "r02"}),
    ((server("a"), "h01"), (server("b"), "h05"), {"h01", "h05", "r01", "r03", "c01", "c02"}),
    ((server("a"), "h01"), (volume("v"), "lvm-r01"), {"h01"}),
    ((server("a"), "h03"), (volume("v"), "lvm-r01"), {"h03", "r02", "r01"}),
    ((server("a"), "h01"), (volume("v"), "ceph-c01"), {"h01", "r01"}),
    ((server("a"), "h01"), (volume("v"), "shared"), {"h01", "r01", "c01"}),
    ((volume("u"), "shared"), (volume("v"), "shared"), set()),
])
def test_pipe_uses_the_uplinks_of_every_boundary_it_crosses(first, second, charged):
    placements = [place(resource, location) for resource, location in (first, second)]
    pipe = Pipe("p1", "pipe-1", (first[0].orch_id, second[0].orch_id), 15)
    violations = checker.check(datacenter(tight), placements, pipes=[pipe])
    assert {v.location for v in violations} == charged
    assert all(v.rule == "bandwidth" and "15 Mbps needed > 10 Mbps (pipes pipe-1)" in v.message
               for v in violations)


def test_pipes_on_one_uplink_add_up():
    def edit(data):
        data["racks"]["r01"]["uplink_mbps"] = 11
    a, b, c = server("a"), server("b"), server("c")
    placements = [place(a, "h01"), place(b, "h03"), place(c, "h04")]
    pipes = [Pipe("p1", "pipe-1", (a.orch_id, b.orch_id), 6),
             Pipe("p2", "pipe-2", (a.orch_id, c.orch_id), 6)]
    violation = only(checker.check(datacenter(edit), placements, pipes=pipes), "bandwidth")
    assert violation.location == "r01"
    assert violation.resource is None
    assert violation.message == "rack r01 uplink: 12 Mbps needed > 11 Mbps (pipes pipe-1, pipe-2)"


def test_pipe_within_unlimited_and_exact_uplinks_passes():
    def edit(data):
        data["racks"]["r01"]["uplink_mbps"] = 10
    a, b = server("a"), server("b")
    placements = [place(a, "h01"), place(b, "h03")]
    pipe = Pipe("p1", "pipe-1", (a.orch_id, b.orch_id), 10)
    assert checker.check(datacenter(edit), placements, pipes=[pipe]) == []


def test_pipe_with_an_unplaced_end_uses_no_uplink():
    a, b = server("a"), server("b")
    pipe = Pipe("p1", "pipe-1", (a.orch_id, b.orch_id), 15)
    assert checker.check(datacenter(tight), [place(a, "h01")], pipes=[pipe]) == []


# --- scale --------------------------------------------------------------------------

def test_ten_thousand_placements_on_ten_thousand_hosts_take_seconds():
    racks = {f"r{i:03}": {"cluster": f"c{i // 10:02}"} for i in range(100)}
    hosts = [{"name": f"h{i:05}", "rack": f"r{i // 100:03}", "vcpus": 8, "memory_mb": 8192,
              "disk_gb": 100} for i in range(10000)]
    dc = inventory.build({"racks": racks, "hosts": hosts})
    servers = [server(f"s{i:05}") for i in range(10000)]
    placements = [place(s, f"h{i:05}") for i, s in enumerate(servers)]
    groups = [group("diversity", "host", *servers, name="spread"),
              group("affinity", "cluster", *servers[:1000], name="together"),
              group("exclusivity", "rack", *servers[:100], name="alone")]
    pipes = [Pipe(f"p{i}", f"pipe-{i}", (servers[i].orch_id, servers[-1 - i].orch_id), 1)
             for i in range(5000)]
    started = time.perf_counter()
    violations = checker.check(dc, placements, groups=groups, pipes=pipes)
    elapsed = time.perf_counter() - started
    assert violations == []
    assert elapsed < 10, f"took {elapsed:.1f} s"
