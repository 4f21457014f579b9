"""``/v1/plans``: stacks placed by the engine (DESIGN §4).

URIs: ``/v1/plans`` and ``/v1/plans/{id or stack_id}``.  Each handler
validates the body and makes one engine call (:mod:`ostro.operations`).
"""

import pecan

from valet_api import policy
from valet_api.controllers import base
from valet_api.types import plans as plan_types


def engine():
    return pecan.request.engine


class Plans(base.Resource):
    """``/v1/plans``: list and create."""

    def child(self, segment):
        return Plan(segment)

    @pecan.expose("json")
    def get(self):
        # NOTE: without valet:plans:list:all a caller sees its project's plans only.
        every = policy.request_allows(pecan.request, "valet:plans:list:all")
        return {"plans": engine().list_plans(
            None if every else pecan.request.context.project_id)}

    @pecan.expose("json")
    def post(self):
        new = plan_types.NewPlan.parse(base.json_body())
        project_id = pecan.request.context.project_id
        if new.project_id is not None and new.project_id != project_id:
            # NOTE: the plan then belongs to (and its named groups must admit)
            # that project: Nova's filter acting for an instance's owner.
            policy.require(pecan.request, "valet:plans:create:on_behalf",
                           {"project_id": new.project_id})
            project_id = new.project_id
        # NOTE: the same stack_id again is the existing plan (the engine is
        # idempotent by stack_id): no second reservation, nothing stored.
        shown = engine().create_plan(new.resources, new.stack_id, name=new.name,
                                     locations=new.locations,
                                     project_id=project_id)
        base.created()
        return {"plan": shown}


class Plan(base.Resource):
    """``/v1/plans/{id or stack_id}``: show, update or migrate, delete."""

    def __init__(self, plan_id):
        self.plan_id = plan_id

    @pecan.expose("json")
    def get(self):
        return {"plan": engine().get_plan(self.plan_id)}

    @pecan.expose("json")
    def put(self):
        change = plan_types.PlanChange.parse(base.json_body())
        if change.action == "update":
            shown = engine().update_plan(self.plan_id, change.resources)
        else:
            shown = engine().migrate_plan(self.plan_id, change.resource, change.excluded_hosts)
        base.created()
        return {"plan": shown}

    @pecan.expose(content_type="application/json")
    def delete(self):
        engine().delete_plan(self.plan_id)
        return base.no_content()
