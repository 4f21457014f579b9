"""The engine's live placements as the independent checker sees them.

Group rules come from each placement's recorded memberships (named groups
span plans), with in-stack nesting (which unit a leaf belongs to) from its
plan's own parse; pipes are the plans' pipes whose two ends are placed.
``GET /v1/resources`` and the tests judge the live state through this.
"""

from ostro.errors import OstroError
from ostro.model.placement import GroupMembers
from ostro.model.topology import plan_group_key
from ostro.verify import checker


def plan_stacks(engine):
    """(plan, parsed stack) pairs; a plan the data centre can no longer parse
    (a flavor gone) is left out of the nesting and pipes."""
    stacks = []
    for plan in engine.plans.values():
        try:
            stacks.append((plan, engine._parse(plan.resources, plan.project_id)))
        except OstroError:
            continue
    return stacks


def group_rules(engine, stacks):
    rules = {}
    for placement in engine.placements.values():
        for ref in placement.groups:
            rule = rules.setdefault(ref.key, GroupMembers.of(ref))
            rule.units[placement.orch_id] = placement.orch_id
    for plan, stack in stacks:
        for key in stack.groups:
            scoped = plan_group_key(plan.id, key)
            if scoped in rules:
                rules[scoped].units.update(
                    {leaf: unit for leaf, unit in stack.units(key).items()
                     if leaf in plan.placements})
    return rules


def pipes(stacks):
    return [pipe for plan, stack in stacks for pipe in stack.pipes
            if all(end in plan.placements for end in pipe.ends)]


def check(engine):
    """``(violations, pipes)`` of the live placements (see :func:`ostro.verify.check`)."""
    stacks = plan_stacks(engine)
    live_pipes = pipes(stacks)
    found = checker.check(engine.datacenter, list(engine.placements.values()),
                         group_rules(engine, stacks).values(), live_pipes, engine.settings)
    return found, live_pipes
