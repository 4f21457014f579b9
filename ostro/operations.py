"""The engine's operations as the API asks for them: named calls with JSON
arguments and JSON answers (the views of :mod:`ostro.views`).

The API calls them in its own process (``[engine] mode = local``) or over
RPC (``rpc``), where the engine service hosts an :class:`Operations` behind
an oslo.messaging endpoint; both see the same names, arguments and errors.
Each call is one read or one serialized commit of a
:class:`ostro.replica.cache.Replica`.

Placements are named by orchestration id or, failing that, by the resource
id Nova knows them by; plans by id or stack id.
"""

from ostro import views
from ostro.errors import NotFound
from ostro.views import hosts as host_views
from ostro.views import violations as violation_views


class Operations:
    """Every operation of the v1 API on one engine cache."""

    #: The operations, by name (what an RPC endpoint may call).
    NAMES = ("list_plans", "get_plan", "plan_project", "create_plan", "update_plan",
             "migrate_plan", "delete_plan", "list_placements", "get_placement", "reserve",
             "replan", "release", "list_hosts", "get_host", "violations", "status")

    def __init__(self, replica):
        self.replica = replica

    # -- plans --------------------------------------------------------------

    def list_plans(self, project_id=None):
        """Every plan, or only ``project_id``'s."""
        return self.replica.read(lambda e: [
            views.plan(plan) for plan in e.plans.values()
            if project_id is None or plan.project_id == project_id])

    def get_plan(self, plan_id):
        return self.replica.read(lambda e: views.plan(e.get_plan(plan_id)))

    def plan_project(self, plan_id):
        """The project that owns a plan (for the API's policy checks)."""
        return self.replica.read(lambda e: e.get_plan(plan_id).project_id)

    def create_plan(self, resources, stack_id, name=None, locations=None, project_id=None):
        """Plan a stack; the same ``stack_id`` again is the existing plan."""
        return self.replica.write(lambda e: views.plan(e.plan(
            resources, stack_id=stack_id, name=name, locations=locations,
            project_id=project_id)))

    def update_plan(self, plan_id, resources):
        def update(e):
            plan = e.get_plan(plan_id)
            e.update(plan.id, resources)
            return views.plan(plan)
        return self.replica.write(update)

    def migrate_plan(self, plan_id, resource, excluded_hosts=()):
        """Move ``resource`` (orchestration or resource id) off its host and
        ``excluded_hosts``."""
        def migrate(e):
            plan = e.get_plan(plan_id)
            e.migrate(plan.id, resource, excluded_hosts)
            return views.plan(plan)
        return self.replica.write(migrate)

    def delete_plan(self, plan_id):
        self.replica.write(lambda e: e.delete_plan(plan_id))

    # -- placements ---------------------------------------------------------

    def list_placements(self):
        return self.replica.read(lambda e: [views.placement(p) for p in e.placements.values()])

    def get_placement(self, key):
        return self.replica.read(lambda e: views.placement(_placement(e, key)))

    def reserve(self, key, locations, resource_id=None):
        """Confirm a placement for Nova (re-planned within ``locations`` if its
        host is not among them)."""
        return self.replica.write(lambda e: views.placement(
            e.reserve(_placement(e, key).orch_id, locations, resource_id)))

    def replan(self, key, locations, resource_id=None):
        def replan(e):
            placement = e.replan(_placement(e, key).orch_id, locations)
            if resource_id:
                placement.resource.resource_id = resource_id
            return views.placement(placement)
        return self.replica.write(replan)

    def release(self, key):
        self.replica.write(lambda e: e.release(_placement(e, key).orch_id))

    # -- the data centre ----------------------------------------------------

    def list_hosts(self):
        return self.replica.read(host_views.show_all)

    def get_host(self, name):
        def show(e):
            if name not in e.datacenter.hosts:
                raise NotFound(f"no host {name}")
            return host_views.show(e, name)
        return self.replica.read(show)

    def status(self):
        """What the engine holds: plans, placements and hosts (``/v1/status``
        asks this of a remote engine to see that it answers)."""
        return self.replica.read(lambda e: {"plans": len(e.plans),
                                           "placements": len(e.placements),
                                           "hosts": len(e.datacenter.hosts)})

    def violations(self):
        """``{uuid: {type, status, message}}`` of placements breaking a rule."""
        return self.replica.read(violation_views.show)


def _placement(e, key):
    """The placement whose orchestration id (or else resource id) is ``key``."""
    placement = e.placements.get(key) or next(
        (p for p in e.placements.values() if p.resource.resource_id == key), None)
    if placement is None:
        raise NotFound(f"no placement {key}")
    return placement
