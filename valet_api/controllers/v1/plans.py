"""``/v1/plans``: stacks placed by the engine (DESIGN §4).

URIs: ``/v1/plans`` and ``/v1/plans/{id or stack_id}``.  Every change goes
through the engine client's commit loop (:mod:`valet_api.engine_client`);
reads refresh its cache from the store and never write.
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
        project_id = pecan.request.context.project_id
        return {"plans": engine().read(
            lambda e: [plan_types.show(plan) for plan in e.plans.values()
                       if every or plan.project_id == project_id])}

    @pecan.expose("json")
    def post(self):
        new = plan_types.NewPlan.parse(base.json_body())

        def plan(e):
            # NOTE: the same stack_id again is the existing plan (the engine
            # is idempotent by stack_id): no second reservation, no save.
            return plan_types.show(e.plan(new.resources, stack_id=new.stack_id,
                                          name=new.name, locations=new.locations,
                                          project_id=pecan.request.context.project_id))

        shown = engine().run(plan)
        base.created()
        return {"plan": shown}


class Plan(base.Resource):
    """``/v1/plans/{id or stack_id}``: show, update or migrate, delete."""

    def __init__(self, plan_id):
        self.plan_id = plan_id

    @pecan.expose("json")
    def get(self):
        return {"plan": engine().read(lambda e: plan_types.show(e.get_plan(self.plan_id)))}

    @pecan.expose("json")
    def put(self):
        change = plan_types.PlanChange.parse(base.json_body())

        def apply(e):
            plan = e.get_plan(self.plan_id)
            if change.action == "update":
                e.update(plan.id, change.resources)
            else:
                e.migrate(plan.id, change.resource, change.excluded_hosts)
            return plan_types.show(e.get_plan(plan.id))

        shown = engine().run(apply)
        base.created()
        return {"plan": shown}

    @pecan.expose()
    def delete(self):
        engine().run(lambda e: e.delete_plan(self.plan_id))
        return base.no_content()
