"""The engine's live placements as the independent checker sees them.

Group rules come from each placement's recorded memberships (named groups
span plans), with in-stack nesting (which unit a leaf belongs to) from its
plan's own parse; pipes are the plans' pipes whose two ends are placed.
``GET /v1/resources`` and the tests judge the live state through this.
"""

from ostro.model.placement import GroupMembers
from ostro.model.topology import plan_group_key
from ostro.parse import recorded
from ostro.verify import checker


def recorded_plans(engine):
    """(plan, :class:`~ostro.parse.recorded.Recorded`) of every plan, read as
    committed: a plan whose groups or flavors are gone still counts, with
    notes on what no longer holds."""
    return [(plan, recorded.parse(plan.resources, engine.datacenter, engine.named_groups,
                                  plan.project_id, plan.placements))
            for plan in engine.plans.values()]


def plan_stacks(engine, plans=None):
    """(plan, stack) pairs of :func:`recorded_plans` (or of ``plans``)."""
    return [(plan, read.stack) for plan, read in plans or recorded_plans(engine)]


def stale(engine, plans=None):
    """Live placement orch id -> its :class:`~ostro.parse.recorded.Stale`
    notes (what its plan, or its own entry, no longer satisfies)."""
    notes = {}
    for plan, read in plans or recorded_plans(engine):
        for note in read.stale:
            if note.orch_id in plan.placements:
                notes.setdefault(note.orch_id, []).append(note)
    for placement in engine.placements.values():
        if placement.plan_id is None and placement.entry is not None:
            read = recorded.parse({placement.orch_id: placement.entry}, engine.datacenter,
                                  engine.named_groups, placed=(placement.orch_id,))
            notes.update({placement.orch_id: list(read.stale)} if read.stale else {})
    return notes


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


def check(engine, plans=None):
    """``(violations, pipes)`` of the live placements (see :func:`ostro.verify.check`);
    ``plans``: :func:`recorded_plans`, if read already."""
    stacks = plan_stacks(engine, plans)
    live_pipes = pipes(stacks)
    found = checker.check(engine.datacenter, list(engine.placements.values()),
                         group_rules(engine, stacks).values(), live_pipes, engine.settings)
    return found, live_pipes
