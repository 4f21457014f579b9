"""Group rules through the engine's public API (DESIGN §5 "Groups").

Every feasible case is built so that the rule must change the answer: the
same stack without the group is planned first and shown to break the rule
(packing would share a host, spreading would split one), then the group is
added and the property is checked on the returned locations.
"""

import re

import pytest

from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.errors import NoPlacement, TopologyError
from ostro.model.datacenter import LEVELS
from ostro.model.topology import NamedGroup
from tests.unit.engine_fixtures import (
    assert_no_violations,
    build,
    datacenter,
    domain,
    domains,
    engine,
    group,
    host_name,
    inventory_data,
    locations,
    preload,
    server,
    servers,
    stack,
)

KINDS = ("affinity", "diversity", "exclusivity")
PLURAL = {"host": "hosts", "rack": "racks", "cluster": "clusters"}
#: Domains of each level in the default data centre (2 clusters x 2 racks x 2 hosts).
DOMAINS = {"host": 8, "rack": 4, "cluster": 2}


# --- scenarios: (datacenter, settings, resources, group members) ------------------------

def _affinity_scenario(level):
    if level == "host":
        # Spreading puts two servers on two hosts; affinity(host) must join them.
        return datacenter(), {"objective": "spread"}, stack(*servers("s", 2)), ["s1", "s2"]

    # Two 3-vCPU servers cannot share a host.  The only occupied hosts with
    # room sit in different racks and clusters, so packing (fewest empty
    # hosts opened) splits them; affinity must open an empty host instead.
    def edit(data):
        preload(data, host_name("r1", 1), vcpus=1)
        preload(data, host_name("r4", 2), vcpus=1)
    return datacenter(edit), {}, stack(*servers("s", 2, "three")), ["s1", "s2"]


def _diversity_scenario(level):
    # Packing puts two small servers on one host (so one rack and one cluster).
    return datacenter(), {}, stack(*servers("s", 2)), ["s1", "s2"]


def _exclusivity_scenario(level):
    # Packing puts the outsider beside the member; exclusivity keeps it out.
    return datacenter(), {}, stack(server("member"), server("outsider")), ["member"]


SCENARIOS = {"affinity": _affinity_scenario, "diversity": _diversity_scenario,
             "exclusivity": _exclusivity_scenario}


def _holds(kind, dc, plan, members, level):
    where = locations(plan)
    inside = {domain(dc, where[name], level) for name in members}
    if kind == "affinity":
        return len(inside) == 1
    if kind == "diversity":
        return len(inside) == len(members)
    outside = {domain(dc, location, level) for name, location in where.items()
               if name not in members}
    return not inside & outside


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind", KINDS)
def test_group_rule_changes_the_answer(kind, level):
    dc, settings, resources, members = SCENARIOS[kind](level)

    plain = engine(dc, **settings).plan(resources)
    assert not _holds(kind, dc, plain, members, level), "scenario does not exercise the rule"

    ruled = engine(dc, **settings)
    plan = ruled.plan({**resources, **stack(group("g", kind, level, members))})
    assert _holds(kind, dc, plan, members, level), locations(plan)
    assert set(locations(plan)) == set(locations(plain))
    assert_no_violations(ruled)


# --- refusals ------------------------------------------------------------------------

def _too_many_for_diversity(level):
    # One more member than there are domains.
    members = servers("s", DOMAINS[level] + 1)
    return inventory_data(), members


def _too_big_for_affinity(level):
    # Whole-host servers, one more than a domain of the level has hosts.
    per_domain = {"host": 1, "rack": 2, "cluster": 4}[level]
    return inventory_data(), servers("s", per_domain + 1, "large")


def _no_room_for_exclusivity(level):
    # Every host already carries load Valet did not place.
    data = inventory_data()
    for host in data["hosts"]:
        preload(data, host["name"], vcpus=1)
    return data, [server("s1")]


REFUSALS = {"affinity": _too_big_for_affinity, "diversity": _too_many_for_diversity,
            "exclusivity": _no_room_for_exclusivity}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind", KINDS)
def test_group_rule_refusal_names_rule_group_resource_and_counts(kind, level):
    data, members = REFUSALS[kind](level)
    names = [entry["name"] for _, entry in members]
    subject = engine(build(data))
    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(*members, group("g", kind, level, names)))

    error = caught.value
    assert error.rule == f"{kind}({level})"
    assert error.group == "g"
    assert error.resource in names
    pattern = (rf"{kind}\({level}\) of group g left 0 of {DOMAINS[level]} "
               rf"{PLURAL[level]} for s\d+( \(.*\))?")
    assert re.fullmatch(pattern, error.message), error.message
    assert subject.placements == {}


# --- nesting -------------------------------------------------------------------------

def test_affinity_rack_holding_diversity_host_pair():
    dc = datacenter()
    resources = stack(*servers("s", 2), group("apart", "diversity", "host", ["s1", "s2"]),
                      group("together", "affinity", "rack", ["apart"]))
    plan = engine(dc).plan(resources)
    hosts = domains(dc, plan, ["s1", "s2"], "host")
    racks = domains(dc, plan, ["s1", "s2"], "rack")
    assert hosts[0] != hosts[1]
    assert racks[0] == racks[1]


def test_affinity_rack_holding_diversity_host_larger_than_a_rack_is_refused():
    # Racks have two hosts; three servers that must be on different hosts
    # cannot all be in one rack.
    resources = stack(*servers("s", 3),
                      group("apart", "diversity", "host", ["s1", "s2", "s3"]),
                      group("together", "affinity", "rack", ["apart"]))
    with pytest.raises(NoPlacement) as caught:
        engine(datacenter()).plan(resources)
    assert (caught.value.rule, caught.value.group) in (
        ("affinity(rack)", "together"), ("diversity(host)", "apart"))


def test_diversity_rack_over_nested_affinity_pair_counts_the_pair_as_one_unit():
    dc = datacenter()
    resources = stack(*servers("s", 3), group("pair", "affinity", "host", ["s1", "s2"]),
                      group("apart", "diversity", "rack", ["pair", "s3"]))
    subject = engine(dc)
    plan = subject.plan(resources)
    where = locations(plan)
    # The pair's members share a host (they are one unit of the diversity
    # group, so sharing a rack is allowed), the third server is in another rack.
    assert where["s1"] == where["s2"]
    assert domain(dc, where["s3"], "rack") != domain(dc, where["s1"], "rack")
    assert_no_violations(subject)


def test_diversity_rack_units_need_one_rack_each():
    # Four racks: four units fit (one is a pair on one host), five do not.
    dc = datacenter()
    pair = [group("pair", "affinity", "host", ["s1", "s2"])]
    fits = stack(*servers("s", 5), *pair,
                 group("apart", "diversity", "rack", ["pair", "s3", "s4", "s5"]))
    plan = engine(dc).plan(fits)
    racks = domains(dc, plan, ["s1", "s3", "s4", "s5"], "rack")
    assert len(set(racks)) == 4

    too_many = stack(*servers("s", 6), *pair,
                     group("apart", "diversity", "rack", ["pair", "s3", "s4", "s5", "s6"]))
    with pytest.raises(NoPlacement) as caught:
        engine(dc).plan(too_many)
    assert caught.value.rule == "diversity(rack)"
    assert "left 0 of 4 racks" in caught.value.message


# --- named groups across plans -------------------------------------------------------

def test_named_diversity_group_spans_plans():
    dc = datacenter()
    subject = engine(dc, named_groups=[("g", "diversity", "host")])
    first = subject.plan(stack(server("a", groups=["g"])), stack_id="A")
    second = subject.plan(stack(server("b", groups=["g"])), stack_id="B")
    assert locations(second)["b"] != locations(first)["a"]

    # Control: a server outside "g" packs onto the occupied host.
    third = subject.plan(stack(server("c")), stack_id="C")
    assert locations(third)["c"] in (locations(first)["a"], locations(second)["b"])


def test_named_diversity_group_refuses_when_every_host_holds_a_member():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc, named_groups=[("g", "diversity", "host")])
    subject.plan(stack(server("a", groups=["g"])), stack_id="A")
    subject.plan(stack(server("b", groups=["g"])), stack_id="B")
    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(server("c", groups=["g"])), stack_id="C")
    assert caught.value.rule == "diversity(host)"
    assert caught.value.group == "g"
    assert caught.value.resource == "c"


def test_named_exclusivity_group_of_an_earlier_plan_keeps_outsiders_out():
    dc = datacenter()
    subject = engine(dc, named_groups=[("ex", "exclusivity", "rack")])
    first = subject.plan(stack(server("member", groups=["ex"])), stack_id="A")
    held = domain(dc, locations(first)["member"], "rack")

    outsider = subject.plan(stack(server("outsider")), stack_id="B")
    assert domain(dc, locations(outsider)["outsider"], "rack") != held

    # Another member may join the held rack (packing takes it to the same host).
    second = subject.plan(stack(server("member2", groups=["ex"])), stack_id="C")
    assert locations(second)["member2"] == locations(first)["member"]


def test_named_exclusivity_refuses_outsider_when_every_domain_is_held():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc, named_groups=[("ex", "exclusivity", "rack")])
    subject.plan(stack(server("member", groups=["ex"])), stack_id="A")
    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(server("outsider")), stack_id="B")
    assert caught.value.resource == "outsider"
    assert "exclusivity(rack)" in caught.value.message


def test_existing_placement_counts_as_named_group_member():
    dc = datacenter()
    subject = engine(dc, named_groups=[("g", "diversity", "host")])
    existing_host = host_name("r1", 1)
    orch, entry = server("old", groups=["g"])
    subject.add_existing(orch, entry, existing_host)

    plan = subject.plan(stack(server("new", groups=["g"])))
    assert locations(plan)["new"] != existing_host

    # Control: without "g" the new server packs beside the existing one.
    other = engine(dc, named_groups=[("g", "diversity", "host")])
    other.add_existing(orch, entry, existing_host)
    assert locations(other.plan(stack(server("new"))))["new"] == existing_host


def test_existing_placement_in_named_exclusivity_group_keeps_outsiders_out():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc, named_groups=[("ex", "exclusivity", "host")])
    orch, entry = server("old", groups=["ex"])
    subject.add_existing(orch, entry, host_name("r1", 1))
    plan = subject.plan(stack(*servers("s", 2)))
    assert set(locations(plan).values()) == {host_name("r1", 2)}


def test_existing_placement_consumes_capacity():
    dc = datacenter()
    subject = engine(dc)
    target = host_name("r2", 1)
    orch, entry = server("old", "three")
    subject.add_existing(orch, entry, target)

    fits = subject.plan(stack(server("one", zone=f"nova:{target}")))
    assert locations(fits)["one"] == target
    with pytest.raises(NoPlacement) as caught:
        subject.plan(stack(server("two", zone=f"nova:{target}")))
    assert caught.value.rule == "capacity"
    assert caught.value.resource == "two"


def test_named_affinity_group_spans_plans():
    dc = datacenter()
    subject = engine(dc, named_groups=[("aff", "affinity", "rack")])
    pinned = host_name("r4", 1)
    subject.plan(stack(server("a", "three", zone=f"nova:{pinned}", groups=["aff"])),
                 stack_id="A")
    # Control: a plain server packs into rack r1 (the first free host).
    plain = subject.plan(stack(server("plain", "three")), stack_id="plain")
    assert domain(dc, locations(plain)["plain"], "rack") != "r4"

    second = subject.plan(stack(server("b", "three", groups=["aff"])), stack_id="B")
    assert locations(second)["b"] == host_name("r4", 2)


def test_deleted_plan_leaves_its_named_groups():
    subject = engine(datacenter(), named_groups=[("g", "diversity", "host"),
                                                 ("ex", "exclusivity", "rack")])
    first = subject.plan(stack(server("a", groups=["g", "ex"])), stack_id="A")
    taken = locations(first)["a"]
    subject.delete_plan(first.id)
    # Neither the diversity nor the exclusivity membership outlives the plan.
    later = subject.plan(stack(server("b", groups=["g"]), server("c")), stack_id="B")
    assert locations(later) == {"b": taken, "c": taken}


def test_flavor_extra_spec_valet_joins_named_group():
    data = inventory_data()
    data["flavors"]["grouped"] = {"vcpus": 1, "ram": 1024, "disk": 10,
                                  "extra_specs": {"valet": {"groups": ["g"]}}}
    subject = engine(build(data), named_groups=[("g", "diversity", "host")])
    # The aggregate rule ignores the "valet" key (no aggregate carries it).
    plan = subject.plan(stack(server("a", "grouped"), server("b", "grouped")))
    assert locations(plan)["a"] != locations(plan)["b"]


def test_named_group_membership_is_limited_to_its_projects():
    dc = datacenter()
    subject = Engine(dc, EngineSettings(),
                     named_groups=[NamedGroup("g", "diversity", "host", members=("p1",))])
    with pytest.raises(TopologyError) as caught:
        subject.plan(stack(server("a", groups=["g"])), stack_id="A", project_id="p2")
    assert "g" in caught.value.groups
    assert "p2" in caught.value.message
    assert subject.placements == {}
    plan = subject.plan(stack(server("a", groups=["g"])), stack_id="B", project_id="p1")
    assert set(locations(plan)) == {"a"}


@pytest.mark.parametrize("affinity_level, diversity_level, clash", [
    ("host", "host", True),
    ("host", "rack", True),          # sharing a host means sharing its rack
    ("rack", "cluster", True),
    ("rack", "host", False),         # one rack, two hosts: fine
    ("cluster", "rack", False),
])
def test_affinity_and_diversity_over_the_same_pair(affinity_level, diversity_level, clash):
    dc = datacenter()
    resources = stack(*servers("s", 2),
                      group("together", "affinity", affinity_level, ["s1", "s2"]),
                      group("apart", "diversity", diversity_level, ["s1", "s2"]))
    if clash:
        with pytest.raises(TopologyError) as caught:
            engine(dc).plan(resources)
        assert set(caught.value.groups) == {"together", "apart"}
        assert "contradict" in caught.value.message
    else:
        plan = engine(dc).plan(resources)
        assert len(set(domains(dc, plan, ["s1", "s2"], affinity_level))) == 1
        assert len(set(domains(dc, plan, ["s1", "s2"], diversity_level))) == 2


def test_child_group_wider_than_its_parent_is_refused():
    resources = stack(*servers("s", 2), group("inner", "diversity", "rack", ["s1", "s2"]),
                      group("outer", "affinity", "host", ["inner"]))
    with pytest.raises(TopologyError) as caught:
        engine(datacenter()).plan(resources)
    assert set(caught.value.groups) == {"inner", "outer"}


def test_in_stack_groups_of_different_plans_do_not_mix_even_with_one_name():
    # Two hosts: each stack's diversity(host) pair needs both of them.
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc)
    for prefix in ("a", "b"):
        names = [f"{prefix}1", f"{prefix}2"]
        plan = subject.plan(stack(server(names[0]), server(names[1]),
                                  group("g", "diversity", "host", names)), stack_id=prefix)
        assert len(set(locations(plan).values())) == 2
    assert_no_violations(subject)


def test_in_stack_exclusivity_of_an_earlier_plan_keeps_later_servers_out():
    dc = datacenter()
    subject = engine(dc)
    first = subject.plan(stack(server("member"), group("ex", "exclusivity", "host", ["member"])),
                         stack_id="A")
    later = subject.plan(stack(*servers("s", 3)), stack_id="B")
    assert locations(first)["member"] not in locations(later).values()


# --- diversity's max_per_domain ------------------------------------------------------

def _limited(name, level, members, limit):
    orch, entry = group(name, "diversity", level, members)
    entry["properties"]["max_per_domain"] = limit
    return orch, entry


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(("level", "limit"), [("host", 2), ("host", 3), ("rack", 2),
                                              ("cluster", 3)])
def test_max_per_domain_caps_units_per_domain(level, limit, exact):
    # Packing puts all six small servers on one host; the limit spreads
    # them, at most ``limit`` per domain, and packing still fills each domain.
    names = [f"s{i}" for i in range(1, 7)]
    settings = {} if exact else {"exact_max_resources": 0}
    subject = engine(datacenter(), **settings)
    plan = subject.plan(stack(*servers("s", 6), _limited("g", level, names, limit)))
    where = locations(plan)
    per_domain = {}
    for name in names:
        key = domain(datacenter(), where[name], level)
        per_domain[key] = per_domain.get(key, 0) + 1
    assert max(per_domain.values()) == limit, per_domain
    assert len(per_domain) == -(-6 // limit)
    assert_no_violations(subject)


def test_max_per_domain_counts_units_already_placed():
    # Named group, two plans: the second may add only one server to the
    # host the first one filled to its limit minus one.
    dc = datacenter()
    named = NamedGroup(name="pool", kind="diversity", level="host", max_per_domain=2)
    subject = Engine(dc, EngineSettings(), named_groups=[named])
    first = subject.plan(stack(server("a1", groups=["pool"])))
    second = subject.plan(stack(server("b1", groups=["pool"]), server("b2", groups=["pool"])))
    where = {**locations(first), **locations(second)}
    hosts = [where[name] for name in ("a1", "b1", "b2")]
    assert max(hosts.count(h) for h in hosts) == 2
    assert len(set(hosts)) == 2
    assert_no_violations(subject)


@pytest.mark.parametrize(("kind", "level", "limit", "reason"), [
    ("diversity", "host", 0, "whole number >= 1"),
    ("diversity", "rack", -2, "whole number >= 1"),
    ("diversity", "host", "two", "whole number >= 1"),
    ("diversity", "host", 1.5, "whole number >= 1"),
    ("affinity", "host", 2, "only to diversity"),
    ("exclusivity", "rack", 1, "only to diversity"),
])
def test_max_per_domain_refused_when_meaningless(kind, level, limit, reason):
    orch, entry = group("g", kind, level, ["s1", "s2"])
    entry["properties"]["max_per_domain"] = limit
    with pytest.raises(TopologyError) as caught:
        engine(datacenter()).plan(stack(*servers("s", 2), (orch, entry)))
    assert "max_per_domain" in caught.value.message
    assert reason in caught.value.message


@pytest.mark.parametrize("exact", [True, False])
def test_max_per_domain_counts_a_nested_group_once(exact):
    # Units: the pair (an affinity(host) group of two) and s1..s3.  With two
    # units a host, packing needs two hosts, the pair's two servers beside
    # at most one other unit.
    settings = {} if exact else {"exact_max_resources": 0}
    subject = engine(datacenter(), **settings)
    plan = subject.plan(stack(*servers("p", 2), *servers("s", 3),
                              group("pair", "affinity", "host", ["p1", "p2"]),
                              _limited("g", "host", ["pair", "s1", "s2", "s3"], 2)))
    where = locations(plan)
    units = {}
    for unit, names in {"pair": ["p1", "p2"], "s1": ["s1"], "s2": ["s2"],
                        "s3": ["s3"]}.items():
        for name in names:
            units.setdefault(where[name], set()).add(unit)
    assert len(units) == 2
    assert all(len(held) == 2 for held in units.values()), units
    assert_no_violations(subject)


@pytest.mark.parametrize(("together", "limit", "contradicts"), [(2, 2, False), (3, 2, True),
                                                                (3, 3, False), (2, 1, True)])
def test_affinity_inside_a_limited_diversity_contradicts_only_beyond_the_limit(
        together, limit, contradicts):
    # An affinity(host) of ``together`` servers inside a diversity(rack) that
    # allows ``limit`` per rack: all of them share a rack, so only more than
    # the limit can never hold.
    names = [f"s{i}" for i in range(1, together + 1)]
    resources = stack(*servers("s", together), group("close", "affinity", "host", names),
                      _limited("spread", "rack", names, limit))
    if contradicts:
        with pytest.raises(TopologyError) as caught:
            engine(datacenter()).plan(resources)
        assert "contradict" in caught.value.message
        assert set(caught.value.groups) == {"close", "spread"}
    else:
        plan = engine(datacenter()).plan(resources)
        assert len(set(locations(plan).values())) == 1
