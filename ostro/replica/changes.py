"""What one engine operation changed, as a *delta*: written to the store's
rows and change log, and replayed onto other engines' caches.

A delta is JSON-ready::

    {"plans": {plan id: plan record with its "placements", or None (gone)},
     "placements": {orch id: placement record, or None}}   # outside any plan

Its unit is a whole plan: when anything of a plan changed (its resources,
one placement's state, a replanned server), the delta carries the plan with
all its placements.  Replaying a plan is then one step, put it back as
recorded (:meth:`ostro.engine.Engine.restore_plan`), with no partial state
to reason about; plans are small, so the records stay small.

Records have the shapes of :func:`ostro.replica.records.dump`.
"""

from ostro.model.books import Unit, UnitKind
from ostro.replica import records


def delta(engine, changed):
    """The delta of the units ``changed`` (what
    :meth:`ostro.engine.Engine.take_changes` handed over), as ``engine`` holds them."""
    plans = sorted(unit.key for unit in changed if unit.kind is UnitKind.PLAN)
    loose = sorted(unit.key for unit in changed if unit.kind is UnitKind.LOOSE)
    return {"plans": {plan_id: _plan_record(engine, plan_id) for plan_id in plans},
            "placements": {orch_id: _loose_record(engine, orch_id) for orch_id in loose}}


def fingerprint(engine):
    """What :func:`compare` compares: cheap tuples, no copies.

    Objects are kept (not their ``id()``) so that a replaced dict cannot be
    mistaken for the old one after the old one is freed.
    """
    plans = {plan_id: (plan.name, plan.stack_id, plan.project_id, plan.method, plan.resources)
             for plan_id, plan in engine.plans.items()}
    placements = {orch_id: (p.plan_id, p.location, p.state, p.updated_at,
                            p.resource.resource_id, p.entry)
                  for orch_id, p in engine.placements.items()}
    return plans, placements


def compare(engine, before):
    """The :class:`~ostro.engine.Unit` s that differ between ``before`` (a
    :func:`fingerprint`) and ``engine`` now.

    An independent account of what changed, by comparing everything (too
    slow for every commit): the tests check that every operation touches
    at least what it changed.
    """
    old_plans, old_placements = before
    new_plans, new_placements = fingerprint(engine)
    changed = {Unit(UnitKind.PLAN, plan_id) for plan_id in old_plans.keys() | new_plans.keys()
               if not _same(old_plans.get(plan_id), new_plans.get(plan_id))}
    for orch_id in old_placements.keys() | new_placements.keys():
        old, new = old_placements.get(orch_id), new_placements.get(orch_id)
        if _same(old, new):
            continue
        for record in (old, new):
            if record is not None:
                changed.add(Unit(UnitKind.LOOSE, orch_id) if record[0] is None
                            else Unit(UnitKind.PLAN, record[0]))
    return changed


def is_empty(change):
    return not change.get("plans") and not change.get("placements")


def _plan_record(engine, plan_id):
    plan = engine.plans.get(plan_id)
    return None if plan is None else records.plan_record(plan)


def _loose_record(engine, orch_id):
    placement = engine.placements.get(orch_id)
    if placement is None or placement.plan_id is not None:
        return None
    return records.placement_record(placement)


def _same(old, new):
    if old is None or new is None:
        return old is new
    return len(old) == len(new) and all(
        a is b or (not isinstance(a, dict) and a == b) for a, b in zip(old, new, strict=True))


def apply(engine, change):
    """Replay ``change`` onto ``engine`` (a cache one change behind)."""
    for plan_id in change["plans"]:
        if plan_id in engine.plans:
            engine.delete_plan(plan_id)
    for orch_id in change["placements"]:
        engine.release(orch_id)
    for record in change["plans"].values():
        if record is not None:
            records.restore_plan(engine, record, record["placements"])
    for record in change["placements"].values():
        if record is not None:
            records.restore_loose(engine, record)


def diff(before, after):
    """The delta that turns state ``before`` into ``after`` (both
    :func:`ostro.replica.records.dump` shapes), plan by plan."""
    old_plans, old_loose = _units(before)
    new_plans, new_loose = _units(after)
    return {"plans": {plan_id: new_plans.get(plan_id)
                      for plan_id in old_plans.keys() | new_plans.keys()
                      if old_plans.get(plan_id) != new_plans.get(plan_id)},
            "placements": {orch_id: new_loose.get(orch_id)
                           for orch_id in old_loose.keys() | new_loose.keys()
                           if old_loose.get(orch_id) != new_loose.get(orch_id)}}


def _units(data):
    """``({plan id: plan record with placements}, {orch id: loose placement})``."""
    placed = {}
    for record in data["placements"]:
        placed.setdefault(record["plan_id"], []).append(record)
    plans = {plan["id"]: {**plan, "placements": sorted(placed.get(plan["id"], []),
                                                       key=lambda p: p["orch_id"])}
             for plan in data["plans"]}
    return plans, {record["orch_id"]: record for record in placed.get(None, [])}
