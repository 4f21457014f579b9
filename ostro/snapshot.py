"""The engine's plans and placements as plain data, and back.

The engine's memory is a cache of the store (DESIGN §6): :func:`dump` gives
what a store must keep, :func:`load` rebuilds an engine from it without
searching, so a restarted or second engine sees exactly the same state.
"""

from ostro import plans as plan_model
from ostro.service import Engine


def dump(engine):
    """JSON-ready ``{"plans": [...], "placements": [...]}``."""
    plans = [{"id": plan.id, "name": plan.name, "stack_id": plan.stack_id,
              "project_id": plan.project_id, "resources": plan.resources,
              "method": plan.method}
             for plan in engine.plans.values()]
    placements = [{"orch_id": orch_id, "plan_id": placement.plan_id,
                   "location": placement.location, "state": placement.state,
                   "updated_at": placement.updated_at,
                   "resource_id": placement.resource.resource_id, "entry": placement.entry}
                  for orch_id, placement in engine.placements.items()]
    return {"plans": plans, "placements": placements}


def load(datacenter, data, settings=None, named_groups=()):
    """An engine holding exactly the plans and placements of ``data``."""
    engine = Engine(datacenter, settings, named_groups)
    by_plan = {}
    for record in data["placements"]:
        by_plan.setdefault(record["plan_id"], []).append(record)
    for record in data["plans"]:
        plan = plan_model.Plan(id=record["id"], name=record["name"],
                               stack_id=record["stack_id"], resources=record["resources"],
                               project_id=record["project_id"],
                               method=record.get("method", ""))
        placed = by_plan.get(plan.id, [])
        engine.restore_plan(plan, {p["orch_id"]: (p["location"], p["state"], p["updated_at"])
                                   for p in placed})
        for p in placed:
            if p["resource_id"]:
                engine.placements[p["orch_id"]].resource.resource_id = p["resource_id"]
    for record in by_plan.get(None, []):
        placement = engine.add_existing(record["orch_id"], record["entry"], record["location"])
        placement.state, placement.updated_at = record["state"], record["updated_at"]
    return engine
