"""``/v1/plans``: stacks placed by the engine (DESIGN §4).

URIs: ``/v1/plans`` and ``/v1/plans/{id or stack_id}``.  Each handler
validates the body and makes one engine call (:mod:`ostro.operations`).
"""

import pecan

from ostro import views
from valet_api import policy, visibility
from valet_api.controllers import base
from valet_api.types import plans as plan_types


def operations():
    return pecan.request.operations


class Plans(base.Resource):
    """``/v1/plans``: list and create."""

    def child(self, segment):
        return Plan(segment)

    @pecan.expose("json")
    def get(self):
        # NOTE: without valet:plans:list:all a caller sees its project's plans only.
        every = policy.request_allows(pecan.request, "valet:plans:list:all")
        show = visibility.plan_shower(pecan.request)
        return {"plans": [show(plan) for plan in operations().list_plans(
            None if every else pecan.request.context.project_id)]}

    @pecan.expose("json")
    def post(self):
        new = plan_types.NewPlan.parse(base.json_body())
        # NOTE: the plan belongs to (and its named groups must admit) that project.
        project_id = policy.planned_for(pecan.request, new.project_id)
        # NOTE: the same stack_id again is the existing plan (the engine is
        # idempotent by stack_id): no second reservation, nothing stored.
        shown = operations().create_plan(new.resources, new.stack_id, name=new.name,
                                         locations=new.locations, project_id=project_id,
                                         dry_run=new.dry_run)
        if not new.dry_run:
            base.created()      # NOTE: a dry run creates nothing: 200
            tag(shown)
        return {"plan": visibility.plan_shower(pecan.request)(shown)}


class Plan(base.Resource):
    """``/v1/plans/{id or stack_id}``: show, update or migrate, delete."""

    def __init__(self, plan_id):
        self.plan_id = plan_id

    # NOTE: another project's plan is a 404 worded as a missing one
    # (ostro.errors.NotOwner is a NotFound), so its id tells nothing.
    @pecan.expose("json")
    def get(self):
        shown = operations().get_plan(self.plan_id, project_id=scope())
        tag(shown)
        return {"plan": visibility.plan_shower(pecan.request)(shown)}

    @pecan.expose("json")
    def put(self):
        change = plan_types.PlanChange.parse(base.json_body())
        if change.action == "update":
            shown = operations().update_plan(self.plan_id, change.resources,
                                             project_id=scope(), if_match=if_match())
        else:
            shown = operations().migrate_plan(self.plan_id, change.resource,
                                              change.excluded_hosts, project_id=scope())
        base.created()
        tag(shown)
        return {"plan": visibility.plan_shower(pecan.request)(shown)}

    @pecan.expose(content_type="application/json")
    def delete(self):
        operations().delete_plan(self.plan_id, project_id=scope())
        return base.no_content()


def scope():
    """The project whose plans this request may act on (None: any), as the
    policy hook decided (:func:`valet_api.access.owner_scope`)."""
    return pecan.request.owner_scope


def tag(shown):
    """Give the answer the plan's revision as its ``ETag``, which a later
    ``PUT`` may send back as ``If-Match`` to change only that revision
    (computed before locations are hidden from the caller, so every
    caller's tag names the same revision)."""
    pecan.response.headers["ETag"] = f'"{views.revision(shown)}"'


def if_match():
    """The revision the request's ``If-Match`` names (``None``: none, or
    ``*``, any revision of an existing plan)."""
    value = (pecan.request.headers.get("If-Match") or "").strip()
    if value in ("", "*"):
        return None
    return value.removeprefix("W/").strip('"')
