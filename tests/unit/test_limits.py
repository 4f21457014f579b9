"""Limits and the planning budget (issue 11 §2): a plan over a size limit
is refused by the limit's name before any parsing; within the limits the
whole planning (parse, group checks, ordering, search) stops at
``[engine] request_time_budget``, refusing with nothing changed."""

import pytest

from ostro.config import EngineSettings
from ostro.deadline import Deadline
from ostro.engine import Engine
from ostro.errors import LimitExceeded, TopologyError
from ostro.inventory import generated
from ostro.parse import limits

NO_LIMITS = {"max_resources_per_plan": 0, "max_groups_per_plan": 0, "max_group_nesting": 0}


def server(name):
    return {"type": "OS::Nova::Server", "name": name, "properties": {"flavor": "m1.tiny"}}


def group(name, members, kind="affinity", level="cluster"):
    return {"type": "OS::Valet::GroupAssignment", "name": name,
            "properties": {"group_type": kind, "level": level, "resources": members}}


def chain(depth, by="name"):
    """Two servers under ``depth`` groups, each holding the one before."""
    resources = {"s0": server("s0"), "s1": server("s1")}
    inner = ["s0", "s1"]
    for index in range(depth):
        resources[f"id-{index}"] = group(f"g{index}", inner)
        inner = [f"g{index}" if by == "name" else {"get_resource": f"id-{index}"}]
    return resources


@pytest.mark.parametrize("resources, limit", [
    ({f"s{i}": server(f"s{i}") for i in range(4)}, "max_resources_per_plan"),
    ({"s": server("s"), **{f"g{i}": group(f"g{i}", ["s"]) for i in range(4)}},
     "max_groups_per_plan"),
    (chain(4), "max_group_nesting"),
    (chain(4, by="orch id"), "max_group_nesting"),
])
def test_a_plan_over_a_limit_is_refused_by_its_name(resources, limit):
    settings = EngineSettings(**{**NO_LIMITS, limit: 3})
    with pytest.raises(LimitExceeded) as refused:
        limits.check(resources, settings)
    assert refused.value.limit == limit
    assert f"[engine] {limit} allows 3" in refused.value.message
    limits.check(resources, EngineSettings(**{**NO_LIMITS, limit: 4}))
    limits.check(resources, EngineSettings(**NO_LIMITS))


def test_nesting_depth_counts_the_longest_path_and_survives_cycles():
    assert limits.nesting_depth({}) == 0
    assert limits.nesting_depth({k: v for k, v in chain(5).items() if k.startswith("id")}) == 5
    cycle = {"a": group("a", ["b"]), "b": group("b", ["a"])}
    assert limits.nesting_depth(cycle) == 2
    # NOTE: deep chains cost no recursion.
    assert limits.nesting_depth({k: v for k, v in chain(20000).items()
                                 if k.startswith("id")}) == 20000


@pytest.mark.parametrize("resources", [
    [], {"a": "not an object"}, {"g": {"type": "OS::Valet::GroupAssignment", "properties": 7}},
    {"g": group("g", [{"no": "reference"}, None])},
])
def test_what_the_limits_cannot_read_is_left_to_the_parser(resources):
    limits.check(resources, EngineSettings())


def test_the_deadline_names_the_budget_and_the_phase():
    now = [100.0]
    deadline = Deadline(2.0, clock=lambda: now[0])
    deadline.check("ordering")
    assert deadline.remaining() == 2.0 and deadline.soonest(101.0) == 101.0
    now[0] = 102.5
    with pytest.raises(LimitExceeded) as refused:
        deadline.check("ordering")
    assert refused.value.limit == "request_time_budget"
    assert "request_time_budget (2 s) while ordering" in refused.value.message
    Deadline(None).check("anything")


@pytest.fixture
def datacenter():
    return generated.generate()


def test_the_budget_bounds_the_group_checks_and_changes_nothing(datacenter):
    engine = Engine(datacenter, EngineSettings(**NO_LIMITS, request_time_budget=0.2))
    with pytest.raises(LimitExceeded) as refused:
        engine.plan(chain(2000), stack_id="deep")
    assert refused.value.limit == "request_time_budget"
    assert "checking group nesting" in refused.value.message
    assert engine.plans == {} and engine.placements == {}
    assert not engine.take_changes()


def test_the_validator_refuses_before_any_search(datacenter):
    engine = Engine(datacenter, EngineSettings(max_group_nesting=3))
    validate = engine.validator()
    with pytest.raises(LimitExceeded):
        validate(chain(4))
    with pytest.raises(TopologyError):
        validate({"s": server("s"), "g": group("g", ["nobody"])})
    validate(chain(3))
    assert engine.plans == {}


def test_identical_groups_are_ordered_within_the_budget(datacenter):
    """60 servers in 300 identical affinity(cluster) groups took 45 s of
    ordering (each mate queued once per group)."""
    names = [f"s{i}" for i in range(60)]
    resources = {name: server(name) for name in names}
    resources.update({f"g{i}": group(f"g{i}", names) for i in range(300)})
    engine = Engine(datacenter, EngineSettings(**NO_LIMITS, request_time_budget=10.0))
    plan = engine.plan(resources, stack_id="wide")
    clusters = {datacenter.hosts[p.location].cluster for p in plan.placements.values()}
    assert len(plan.placements) == 60 and len(clusters) == 1
