"""Soft group rules (``enforcement: soft``) through the engine's public API.

A soft rule holds whenever it can, even against the objective (packing would
break every diversity below); where it cannot, the plan is still made, the
hard rules still hold, the soft rule is broken as little as the search
finds, and the plan answer names it (``unmet_soft_rules``).
"""

import pytest

from ostro import views
from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.errors import NoPlacement, TopologyError
from ostro.model.topology import NamedGroup
from tests.unit.engine_fixtures import (
    assert_no_violations,
    datacenter,
    domain,
    engine,
    group,
    locations,
    server,
    servers,
    stack,
)

#: Both searches: the exact model (small stacks) and the heuristic alone.
SEARCHES = pytest.mark.parametrize("settings", [{}, {"exact_max_resources": 0}],
                                   ids=["exact", "heuristic"])


def soft(name, kind, level, members, **properties):
    orch, entry = group(name, kind, level, members)
    entry["properties"].update(enforcement="soft", **properties)
    return orch, entry


def four_hosts():
    """One cluster, two racks of two hosts."""
    return datacenter(clusters=1, racks_per_cluster=2, hosts_per_rack=2)


def unmet(subject, plan):
    return views.plan(plan, subject)["unmet_soft_rules"]


@SEARCHES
@pytest.mark.parametrize("kind", ["affinity", "diversity"])
def test_a_soft_rule_that_can_hold_holds_as_a_hard_one(kind, settings):
    # Packing puts the two small servers on one host and spreading on two;
    # each rule must change that answer.
    objective = "spread" if kind == "affinity" else "pack"
    dc = datacenter()
    subject = engine(dc, objective=objective, **settings)
    plan = subject.plan(stack(*servers("s", 2), soft("g", kind, "host", ["s1", "s2"])))
    where = locations(plan)
    apart = where["s1"] != where["s2"]
    assert apart == (kind == "diversity")
    assert unmet(subject, plan) == []


@SEARCHES
def test_soft_diversity_spreads_over_every_host_when_it_cannot_hold(settings):
    # Five members, four hosts: hard, it is refused; soft, it uses all four
    # hosts (one holds two), not the two that packing alone would use.
    names = [f"s{i}" for i in range(1, 6)]
    with pytest.raises(NoPlacement):
        engine(four_hosts(), **settings).plan(
            stack(*servers("s", 5), group("g", "diversity", "host", names)))
    subject = engine(four_hosts(), **settings)
    plan = subject.plan(stack(*servers("s", 5), soft("g", "diversity", "host", names)))
    assert len(set(locations(plan).values())) == 4
    [rule] = unmet(subject, plan)
    assert (rule["group"], rule["rule"]) == ("g", "diversity(host)")
    assert "more than 1 member(s) per host: 2 in" in rule["message"]
    assert_no_violations(subject)


@SEARCHES
def test_soft_affinity_splits_only_what_does_not_fit(settings):
    # Three half-host servers cannot share a host: hard, refused; soft, two
    # share one host and the third goes to another.
    names = ["s1", "s2", "s3"]
    with pytest.raises(NoPlacement):
        engine(four_hosts(), **settings).plan(
            stack(*servers("s", 3, "half"), group("g", "affinity", "host", names)))
    subject = engine(four_hosts(), **settings)
    plan = subject.plan(stack(*servers("s", 3, "half"), soft("g", "affinity", "host", names)))
    hosts = list(locations(plan).values())
    assert sorted(hosts.count(h) for h in set(hosts)) == [1, 2]
    [rule] = unmet(subject, plan)
    assert "members in 2 host domains" in rule["message"]


@SEARCHES
def test_only_the_soft_rule_that_cannot_hold_is_broken(settings):
    # "crowd" (five members, four hosts) must break; "pair" can hold and does.
    subject = engine(four_hosts(), **settings)
    plan = subject.plan(stack(
        *servers("s", 5), *servers("p", 2),
        soft("crowd", "diversity", "host", [f"s{i}" for i in range(1, 6)]),
        soft("pair", "diversity", "host", ["p1", "p2"])))
    where = locations(plan)
    assert where["p1"] != where["p2"]
    assert [rule["group"] for rule in unmet(subject, plan)] == ["crowd"]


def test_hard_rules_still_hold_beside_a_soft_one():
    # A hard rack diversity and a soft host affinity over the same servers
    # cannot both hold: the hard one wins.
    dc = four_hosts()
    subject = engine(dc)
    plan = subject.plan(stack(*servers("s", 2), group("apart", "diversity", "rack", ["s1", "s2"]),
                              soft("together", "affinity", "host", ["s1", "s2"])))
    where = locations(plan)
    assert domain(dc, where["s1"], "rack") != domain(dc, where["s2"], "rack")
    assert [rule["group"] for rule in unmet(subject, plan)] == ["together"]


def test_a_named_soft_group_counts_members_of_other_plans():
    dc = four_hosts()
    named = NamedGroup(name="web", kind="diversity", level="host", enforcement="soft")
    subject = Engine(dc, EngineSettings(), named_groups=[named])
    first = subject.plan(stack(*(server(f"a{i}", groups=["web"]) for i in range(1, 4))))
    assert unmet(subject, first) == []
    second = subject.plan(stack(server("b1", groups=["web"]), server("b2", groups=["web"])))
    hosts = list(locations(first).values()) + list(locations(second).values())
    assert len(set(hosts)) == 4            # the fourth host first, then a shared one
    assert [rule["group"] for rule in unmet(subject, second)] == ["web"]
    # The first plan's own member now shares a host too only if b2 joined it.
    shared = {h for h in hosts if hosts.count(h) > 1}
    assert bool(unmet(subject, first)) == bool(shared & set(locations(first).values()))


def test_a_plan_without_soft_groups_has_no_unmet_list():
    subject = engine(datacenter())
    plan = subject.plan(stack(*servers("s", 2), group("g", "diversity", "host", ["s1", "s2"])))
    assert "unmet_soft_rules" not in views.plan(plan, subject)


def test_a_dry_run_lists_what_it_would_leave_unmet():
    subject = engine(four_hosts())
    names = [f"s{i}" for i in range(1, 6)]
    plan = subject.plan(stack(*servers("s", 5), soft("g", "diversity", "host", names)),
                        dry_run=True)
    shown = views.trial_plan(plan, subject)
    assert [rule["group"] for rule in shown["unmet_soft_rules"]] == ["g"]
    assert subject.plans == {}


@pytest.mark.parametrize(("kind", "value", "reason"), [
    ("diversity", "firm", "must be one of hard, soft"),
    ("affinity", True, "must be one of hard, soft"),
    ("exclusivity", "soft", "soft applies only to affinity and diversity"),
])
def test_enforcement_refused_when_meaningless(kind, value, reason):
    orch, entry = group("g", kind, "host", ["s1", "s2"])
    entry["properties"]["enforcement"] = value
    with pytest.raises(TopologyError) as caught:
        engine(datacenter()).plan(stack(*servers("s", 2), (orch, entry)))
    assert reason in caught.value.message


def test_hard_is_the_default_and_may_be_spelled():
    orch, entry = group("g", "diversity", "host", [f"s{i}" for i in range(1, 6)])
    entry["properties"]["enforcement"] = "hard"
    with pytest.raises(NoPlacement):
        engine(four_hosts()).plan(stack(*servers("s", 5), (orch, entry)))
