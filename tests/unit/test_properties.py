"""Property tests: random data centres and stacks.

1. Every plan the engine returns passes the independent checker.
2. Whenever the exact solver finds a placement, the engine does not refuse.
"""

import hypothesis
from hypothesis import strategies as st

from ostro import views
from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.errors import NoPlacement
from ostro.inventory import file as inventory_file
from ostro.inventory import generated
from ostro.model.placement import Placement, group_rules
from ostro.parse import resources as parser
from ostro.search import exact
from ostro.search import items as item_model
from ostro.search.problem import Problem
from ostro.verify import checker
from tests.support import stacks

SHAPES = [{"vcpus": 4, "memory_mb": 8192, "disk_gb": 200},
          {"vcpus": 8, "memory_mb": 16384, "disk_gb": 400},
          {"vcpus": 16, "memory_mb": 65536, "disk_gb": 1000}]


@st.composite
def datacenters(draw):
    data = generated.generate_dict(
        clusters=draw(st.integers(1, 2)), racks_per_cluster=draw(st.integers(1, 3)),
        hosts_per_rack=draw(st.integers(1, 4)), seed=draw(st.integers(0, 10_000)),
        load=draw(st.sampled_from([0.0, 0.3, 0.7])),
        host_shapes=draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=2)),
        backends=draw(st.sampled_from([False, True, "rack"])))
    # Tight uplinks make the bandwidth rule bite.
    scale = draw(st.sampled_from([None, 0.05, 0.2]))
    if scale:
        for host in data["hosts"]:
            host["uplink_mbps"] = host["uplink_mbps"] * scale
        for rack in data["racks"].values():
            rack["uplink_mbps"] = rack["uplink_mbps"] * scale
    if draw(st.booleans()) and len(data["hosts"]) > 1:
        data["hosts"][0]["enabled"] = False
    return inventory_file.build(data)


@st.composite
def plans(draw, mixes=("mixed", "host-rack", "limits", "soft", "none"), fewest=1):
    datacenter = draw(datacenters())
    servers = draw(st.integers(fewest, 10))
    volumes = draw(st.integers(0, 3)) if datacenter.backends else 0
    pipes = draw(st.integers(0, 4)) if servers >= 2 else 0
    mix = draw(st.sampled_from(mixes))
    resources = stacks.random_stack(servers, draw(st.integers(0, 10_000)), rules=mix,
                                    pipes=pipes, volumes=volumes,
                                    flavors=draw(st.sampled_from(
                                        [None, ["m1.large", "m1.xlarge"], ["ssd.large"]])))
    objective = draw(st.sampled_from(["pack", "spread"]))
    return datacenter, resources, objective


def _violations(datacenter, resources, plan):
    stack = parser.parse(resources, datacenter)
    placements = [Placement(orch, stack.resources[orch], p.location)
                  for orch, p in plan.placements.items()]
    found = checker.check(datacenter, placements, group_rules(stack).values(), stack.pipes)
    return [violation for violation in found if not violation.soft]


def _exact_finds_placement(datacenter, resources, budget=10.0):
    stack = parser.parse(resources, datacenter)
    engine = Engine(datacenter)
    rules = group_rules(stack)
    problem = Problem(engine.compiled, item_model.stack_items(stack, rules), rules)
    candidates = exact.candidate_sets(problem, engine.state)
    if any(len(c) == 0 for c in candidates.values()):
        return False
    result = exact.ExactModel(problem, engine.state, candidates).solve(budget, workers=2)
    return result.locations is not None


@hypothesis.settings(max_examples=150, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(plans())
def test_plans_pass_the_checker_and_refusals_are_real(case):
    datacenter, resources, objective = case
    engine = Engine(datacenter, EngineSettings(objective=objective, solver_time_budget=5.0))
    try:
        plan = engine.plan(resources, stack_id="prop")
    except NoPlacement:
        hypothesis.event("refused")
        assert not _exact_finds_placement(datacenter, resources)
        return
    hypothesis.event(f"placed by {plan.method}")
    assert len(plan.placements) == len(parser.parse(resources, datacenter).resources)
    assert _violations(datacenter, resources, plan) == [], plan.method


@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(plans(), st.integers(1, 4))
def test_successive_plans_never_break_earlier_ones(case, count):
    """Several stacks into one data centre: the whole state stays valid."""
    datacenter, resources, objective = case
    engine = Engine(datacenter, EngineSettings(objective=objective, solver_time_budget=2.0))
    all_placements, all_rules, all_pipes = [], {}, []
    for index in range(count):
        renamed = {f"{index}-{orch}": entry for orch, entry in resources.items()}
        try:
            plan = engine.plan(renamed, stack_id=f"s{index}")
        except NoPlacement:
            continue
        stack = parser.parse(renamed, datacenter)
        for key, rule in group_rules(stack).items():
            all_rules[f"{index}/{key}"] = rule
        all_pipes.extend(stack.pipes)
        all_placements.extend(Placement(orch, stack.resources[orch], p.location)
                              for orch, p in plan.placements.items())
    found = checker.check(datacenter, all_placements, all_rules.values(), all_pipes)
    assert [violation for violation in found if not violation.soft] == []


def _without_soft_groups(resources):
    return {orch: entry for orch, entry in resources.items()
            if entry["properties"].get("enforcement") != "soft"}


@hypothesis.settings(max_examples=50, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(plans(mixes=("soft",), fewest=4), st.sampled_from([True, False]))
def test_soft_rules_never_refuse_and_the_answer_names_what_broke(case, exact_allowed):
    """A stack with soft groups is planned whenever it is without them, and
    the plan answer's unmet_soft_rules names exactly the soft groups the
    independent checker finds broken."""
    datacenter, resources, objective = case
    settings = EngineSettings(objective=objective, solver_time_budget=1.0,
                              exact_max_resources=30 if exact_allowed else 0)
    try:
        Engine(datacenter, settings).plan(_without_soft_groups(resources), stack_id="hard")
    except NoPlacement:
        hypothesis.event("refused without the soft groups")
        return
    engine = Engine(datacenter, settings)
    shown = views.plan(engine.plan(resources, stack_id="soft"), engine)
    stack = parser.parse(resources, datacenter)
    placements = [Placement(orch, stack.resources[orch], p["location"])
                  for orch, p in shown["placements"].items()]
    found = checker.check(datacenter, placements, group_rules(stack).values(), stack.pipes)
    assert [violation.message for violation in found if not violation.soft] == []
    broken = {violation.group for violation in found if violation.soft}
    soft = {entry["properties"]["group_name"] for entry in resources.values()
            if entry["properties"].get("enforcement") == "soft"}
    assert ("unmet_soft_rules" in shown) == bool(soft)
    assert {rule["group"] for rule in shown.get("unmet_soft_rules", [])} == broken
    hypothesis.event(f"{len(broken)} of {len(soft)} soft rules unmet")
