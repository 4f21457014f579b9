"""The engine's plans and placements as plain data, and back.

The engine's memory is a cache of the store (DESIGN §6): :func:`dump` gives
what a store must keep, :func:`load` rebuilds an engine from it without
searching, so a restarted or second engine sees exactly the same state.
"""

import contextlib
import gc

from ostro.engine import Engine
from ostro.model import plan as plan_model
from ostro.model.topology import is_named_group_key


def dump(engine):
    """JSON-ready ``{"plans": [...], "placements": [...]}``."""
    plans = [_plan_fields(plan) for plan in engine.plans.values()]
    placements = [placement_record(placement) for placement in engine.placements.values()]
    return {"plans": plans, "placements": placements}


def load(datacenter, data, settings=None, named_groups=()):
    """An engine holding exactly the plans and placements of ``data``, with
    no changes to take (it is what a store holds already)."""
    with bulk():
        return _load(datacenter, data, settings, named_groups)


@contextlib.contextmanager
def bulk():
    """No cyclic garbage collection inside: reading and loading a store
    allocates millions of objects that all stay, and the collector would
    walk the growing heap again and again for garbage it cannot find (40 %
    of a load of 100,000 placements, measured).  Reference counting still
    frees what is dropped."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _load(datacenter, data, settings, named_groups):
    engine = Engine(datacenter, settings, named_groups)
    by_plan = {}
    for record in data["placements"]:
        by_plan.setdefault(record["plan_id"], []).append(record)
    for record in data["plans"]:
        restore_plan(engine, record, by_plan.get(record["id"], []))
    for record in by_plan.get(None, []):
        restore_loose(engine, record)
    engine.take_changes()
    return engine


def plan_record(plan):
    """A plan with its placements (``"placements"``: their records)."""
    return {**_plan_fields(plan),
            "placements": [placement_record(p) for _, p in sorted(plan.placements.items())]}


def _plan_fields(plan):
    return {"id": plan.id, "name": plan.name, "stack_id": plan.stack_id,
            "project_id": plan.project_id, "resources": plan.resources, "method": plan.method}


def placement_record(placement):
    return {"orch_id": placement.orch_id, "plan_id": placement.plan_id,
            "location": placement.location, "state": placement.state,
            "updated_at": placement.updated_at,
            "resource_id": placement.resource.resource_id, "entry": placement.entry,
            "named_groups": sorted(ref.name for ref in placement.groups
                                   if is_named_group_key(ref.key))}


def restore_plan(engine, record, placed):
    """Put a plan record and its placement records ``placed`` into ``engine``,
    without searching."""
    plan = plan_model.Plan(id=record["id"], name=record["name"], stack_id=record["stack_id"],
                           resources=record["resources"], project_id=record["project_id"],
                           method=record.get("method") or "")
    engine.restore_plan(plan, {p["orch_id"]: (p["location"], p["state"], p["updated_at"],
                                              p["resource_id"]) for p in placed})
    return plan


def restore_loose(engine, record):
    """Put a placement made outside any plan (an existing server) into ``engine``."""
    return engine.restore_existing(record["orch_id"], record["entry"], record["location"],
                                   record["state"], record["updated_at"],
                                   record["resource_id"])
