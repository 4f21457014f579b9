"""The heuristic's placement order (ostro.search.ordering)."""

from ostro.config import EngineSettings
from ostro.model.placement import group_rules
from ostro.parse import resources as parser
from ostro.search import items as item_model
from ostro.search import ordering
from ostro.search.compiled import CompiledDatacenter
from ostro.search.problem import Problem
from tests.unit.engine_fixtures import (
    datacenter,
    group,
    host_name,
    orch_id,
    pipe,
    server,
    stack,
    volume,
)


def problem_for(dc, resources, allowed=None):
    parsed = parser.parse(resources, dc)
    rules = group_rules(parsed)
    items = item_model.stack_items(parsed, rules)
    return Problem(CompiledDatacenter(dc, EngineSettings()), items, rules, allowed=allowed)


def names(problem, order):
    return [problem.items[orch].name for orch in order]


def test_pinned_items_come_first():
    dc = datacenter()
    resources = stack(server("big", "three"), server("kept", "small"), server("mid", "half"))
    problem = problem_for(dc, resources, allowed={orch_id("kept"): {host_name("r1", 1)}})
    assert names(problem, ordering.initial_order(problem))[0] == "kept"


def test_bigger_items_first_without_rules():
    dc = datacenter()
    problem = problem_for(dc, stack(server("s", "small"), server("l", "three"),
                                    server("m", "half")))
    assert names(problem, ordering.initial_order(problem)) == ["l", "m", "s"]


def test_members_of_big_diversity_groups_first():
    dc = datacenter()
    resources = stack(server("heavy", "three"), server("d1"), server("d2"), server("d3"),
                      group("spread", "diversity", "host", ["d1", "d2", "d3"]))
    order = names(problem_for(dc, resources), ordering.initial_order(problem_for(dc, resources)))
    assert set(order[:3]) == {"d1", "d2", "d3"}


def test_affinity_mates_are_consecutive_and_volumes_lead_their_block():
    dc = datacenter(lambda data: data["storage_backends"].append(
        {"name": "pool", "rack": "r1", "capacity_gb": 1000}))
    resources = stack(server("a1", "half"), server("x", "three"), server("a2", "small"),
                      volume("v", 10), pipe("p", "x", "v", 100),
                      group("pair", "affinity", "rack", ["a1", "a2"]))
    problem = problem_for(dc, resources)
    order = names(problem, ordering.initial_order(problem))
    assert abs(order.index("a1") - order.index("a2")) == 1
    assert order.index("v") == order.index("x") - 1
