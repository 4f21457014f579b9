"""The engine's operations as the API asks for them: named calls with JSON
arguments and JSON answers (the views of :mod:`ostro.views`).

The API calls them in its own process (``[engine] mode = local``) or over
RPC (``rpc``), where the engine service hosts an :class:`Operations` behind
an oslo.messaging endpoint; both see the same names, arguments and errors.
Each call is one read or one serialized commit of a
:class:`ostro.replica.cache.Replica`.

Placements are named by orchestration id or, failing that, by the resource
id Nova knows them by (:meth:`ostro.engine.Engine.find_placement`); plans by
id or stack id.  A plan or placement read given ``project_id`` acts only
on that project's (:class:`~ostro.errors.NotOwner`, a NotFound worded as a
missing one, otherwise), so the API checks ownership in the same call
rather than asking first.

Every decision is one INFO line, logged here once its commit is done (so a
line means it is stored) or once it is refused (with the reason): plan
created, exists, updated, migrated, deleted; placement reserved, replanned,
released, each with the project, stack, plan and placement ids.  Expiry is
logged by the replica that commits it (:mod:`ostro.replica.cache`).
"""

import logging
import uuid

from ostro import views
from ostro.errors import NotFound, NotOwner, OstroError, Stale
from ostro.model.placement import PlacementState
from ostro.views import hosts as host_views
from ostro.views import violations as violation_views

LOG = logging.getLogger(__name__)

#: Names the servers of a multi-create request's ad hoc plan (fixed: a
#: retried request names them the same).
REQUEST_NAMESPACE = uuid.UUID("b7a3e1c2-5d4f-4e8a-9c61-2f0d7e9a4b13")


class Operations:
    """Every operation of the v1 API on one engine replica."""

    #: The operations, by name (what an RPC endpoint may call).
    NAMES = ("list_plans", "get_plan", "create_plan", "update_plan",
             "migrate_plan", "delete_plan", "list_placements", "get_placement", "reserve",
             "replan", "release", "list_hosts", "get_host", "violations", "status", "ping")

    def __init__(self, replica):
        self.replica = replica

    # -- plans --------------------------------------------------------------

    def list_plans(self, project_id=None):
        """Every plan, or only ``project_id``'s."""
        return self.replica.read(lambda engine: [
            views.plan(plan, engine) for plan in engine.plans_of(project_id)])

    def get_plan(self, plan_id, *, project_id=None):
        return self.replica.read(
            lambda engine: views.plan(_plan(engine, plan_id, project_id), engine))

    def create_plan(self, resources, stack_id, name=None, locations=None, project_id=None,
                    dry_run=False):
        """Plan a stack; the same ``stack_id`` again is the existing plan.  A
        ``dry_run`` answers the plan it would make (:func:`ostro.views.
        trial_plan`) or its refusal, from a read: nothing is stored or
        reserved, and no writer waits for it."""
        if dry_run:
            return self._try_plan(resources, stack_id, name, locations, project_id)

        def create(engine):
            known = stack_id is not None and engine.find_plan(stack_id) is not None
            plan = engine.plan(resources, stack_id=stack_id, name=name, locations=locations,
                               project_id=project_id)
            line = _plan_line("plan exists" if known else "plan created", plan)
            return views.plan(plan, engine), line

        def write():
            self._validate(resources, project_id, stack_id)
            return self.replica.write(create)
        return _decided(f"plan of stack={stack_id} project={project_id}", write)

    def _try_plan(self, resources, stack_id, name, locations, project_id):
        def attempt(engine):
            known = stack_id is not None and engine.find_plan(stack_id) is not None
            plan = engine.plan(resources, stack_id=stack_id, name=name, locations=locations,
                               project_id=project_id, dry_run=True)
            return views.trial_plan(plan, engine, stored=known)

        self._validate(resources, project_id, stack_id)
        try:
            return self.replica.read(attempt)
        except OstroError as exc:
            LOG.info("dry run of stack=%s project=%s refused: %s: %s", stack_id,
                     project_id, exc.kind, exc.message)
            raise

    def update_plan(self, plan_id, resources, *, project_id=None, if_match=None):
        """Re-plan with new ``resources``; ``if_match``: only if the plan's
        :func:`~ostro.views.revision` is still that one (checked in the
        write, so two writers that read the same revision cannot both win),
        else :class:`~ostro.errors.Stale`."""
        def update(engine):
            plan = _plan(engine, plan_id, project_id)
            # NOTE: the revision leaves out what is derived (unmet_soft_rules),
            # so the plan's own record is all it needs.
            if if_match is not None and views.revision(plan.to_dict()) != if_match:
                raise Stale(f"plan {plan.id} changed since revision {if_match} was read; "
                            "read it again")
            engine.update(plan.id, resources)
            return views.plan(plan, engine), _plan_line("plan updated", plan)

        return self._write_plan("update", plan_id, project_id, update, resources=resources)

    def migrate_plan(self, plan_id, resource, excluded_hosts=(), *, project_id=None):
        """Move ``resource`` (orchestration or resource id) off its host and
        ``excluded_hosts``."""
        def migrate(engine):
            plan = _plan(engine, plan_id, project_id)
            before = engine.find_placement(resource)
            origin = before.location if before else None
            moved = engine.migrate(plan.id, resource, excluded_hosts)
            return views.plan(plan, engine), _plan_line(
                "plan migrated", plan, f"; {moved.orch_id} moved from {origin} to {moved.location}")
        return self._write_plan("migrate", plan_id, project_id, migrate)

    def delete_plan(self, plan_id, *, project_id=None):
        def delete(engine):
            plan = _plan(engine, plan_id, project_id)
            line = _plan_line("plan deleted", plan, "; released")
            engine.delete_plan(plan.id)
            return None, line
        self._write_plan("delete", plan_id, project_id, delete)

    def _write_plan(self, action, plan_id, project_id, operation, resources=None):
        """``operation(engine)`` (answering ``(answer, log line)``), committed;
        ``resources``, the plan's new resources if any, validated first."""
        def look(engine):
            plan = _plan(engine, plan_id, project_id)
            return None if resources is None else (engine.validator(), plan.project_id)

        def write():
            # NOTE: a missing or foreign plan, or new resources that cannot
            # pass (Engine.validator), are answered before the write lock
            # (validated outside the replica's too), so they never wait for
            # or hold it.
            found = self.replica.read(look)
            if found is not None:
                validate, owner = found
                validate(resources, owner)
            return self.replica.write(operation)
        return _decided(f"{action} of plan={plan_id} project={project_id}", write)

    def _validate(self, resources, project_id, stack_id=None):
        """Refuse resources over a limit, unparsable or contradictory
        (:meth:`ostro.engine.Engine.validator`) before the write lock, and
        outside the replica's: heavy or bad input is refused without making
        anyone wait.  A stack already planned is left to the write, which
        answers it (the same plan again)."""
        def validator(engine):
            if stack_id is None or engine.find_plan(stack_id) is None:
                return engine.validator()
            return None
        # NOTE: first on the cache as it is (no store round trip): the write
        # checks everything again under the lock, so a stale pass is
        # harmless; a stale refusal (a group created since) is checked again
        # on a fresh read before it is answered.
        validate = self.replica.peek(validator)
        if validate is not None:
            try:
                validate(resources, project_id)
                return
            except OstroError:
                pass
        validate = self.replica.read(validator)
        if validate is not None:
            validate(resources, project_id)

    # -- placements ---------------------------------------------------------

    def list_placements(self, project_id=None):
        """Every placement, or only those of ``project_id``'s plans."""
        def show(engine):
            if project_id is None:
                return [views.placement(p) for p in engine.placements.values()]
            return [views.placement(p) for plan in engine.plans_of(project_id)
                    for p in plan.placements.values()]
        return self.replica.read(show)

    def get_placement(self, key, *, project_id=None):
        def show(engine):
            placement = engine.get_placement(key)
            if project_id is not None and _project_of(engine, placement) != project_id:
                raise NotOwner(f"no placement {key}")
            return views.placement(placement)
        return self.replica.read(show)

    def reserve(self, key, locations, resource_id=None, *, fallback_ids=(), adhoc=None,
                alternates=0, flavor=None, hints=None):
        """Confirm a placement for Nova (re-planned within ``locations`` if its
        host is not among them).

        ``fallback_ids`` are tried after ``key``; when none names a
        placement, ``adhoc`` (``{"resource", "name", "project_id", "count",
        "request_id"}``) is planned within ``locations`` and reserved, in the
        same commit: a one-server plan for ``resource_id``, or for a Nova
        request of ``count`` instances one plan of that many servers (stack
        id ``request_id``) of which each instance reserves the next one not
        yet reserved.  ``alternates``: how many other hosts where the server
        could go instead to answer (``alternates``), with the hosts of its
        plan's servers not yet reserved (``siblings``).
        """
        def reserve(engine, placement):
            how = ""
            if placement is None and hints:
                placement = engine.find_by_hints(hints)
                how = " (found by its hints)" if placement is not None else ""
            if placement is None:
                if not adhoc:
                    raise NotFound(f"no placement {key}")
                placement = _adhoc_placement(engine, adhoc, resource_id, locations)
                how = " (planned ad hoc)"
            elif flavor:
                placement, resized = _resized(engine, placement, flavor)
                how = f" (resized to {flavor})" if resized else ""
            origin = placement.location
            placement = engine.reserve(placement.orch_id, locations, resource_id)
            if placement.location != origin:
                how += f" (replanned from {origin})"
            shown = views.placement(placement)
            if alternates:
                shown["alternates"] = engine.alternates(placement.orch_id, locations,
                                                        alternates)
                shown["siblings"] = _siblings(engine, placement)
            return shown, _placement_line("placement reserved", engine, placement, how)
        return self._write_placement("reserve", (key, *fallback_ids), reserve,
                                     missing_ok=bool(adhoc or hints))

    def replan(self, key, locations, resource_id=None):
        def replan(engine, placement):
            origin = placement.location
            placement = engine.replan(placement.orch_id, locations, resource_id)
            return views.placement(placement), _placement_line(
                "placement replanned", engine, placement, f" (was on {origin})")
        return self._write_placement("replan", (key,), replan)

    def release(self, key):
        def release(engine, placement):
            line = _placement_line("placement released", engine, placement)
            engine.release(placement.orch_id)
            return None, line
        self._write_placement("release", (key,), release)

    def _write_placement(self, action, keys, operation, missing_ok=False):
        """``operation(engine, placement)`` (answering ``(answer, log line)``)
        on the placement the first of ``keys`` that names one names,
        committed.  A miss is answered from a read, outside the write lock,
        unless ``missing_ok``: then the operation gets None (and decides,
        under the lock)."""
        def find(engine):
            placement = _first(engine, keys)
            if placement is None and not missing_ok:
                raise NotFound(f"no placement {keys[0]}")
            return placement

        def write():
            # NOTE: a miss is answered outside the write lock; a placement
            # the cache holds (the common case) goes straight to the write,
            # which finds it again under the lock: no read round trip first.
            if not missing_ok and self.replica.peek(lambda engine: _first(engine, keys)) is None:
                self.replica.read(find)
            return self.replica.write(lambda engine: operation(engine, find(engine)))
        return _decided(f"{action} of placement={keys[0]}", write)

    # -- the data centre ----------------------------------------------------

    def list_hosts(self):
        return self.replica.read(host_views.show_all)

    def get_host(self, name):
        def show(engine):
            if name not in engine.datacenter.hosts:
                raise NotFound(f"no host {name}")
            return host_views.show(engine, name)
        return self.replica.read(show)

    def status(self):
        """What the engine holds: plans, placements and hosts (``/v1/status``
        asks this of a remote engine to see that it answers)."""
        return self.replica.read(lambda engine: {"plans": len(engine.plans),
                                                 "placements": len(engine.placements),
                                                 "hosts": len(engine.datacenter.hosts)})

    def ping(self):
        """``"pong"``, touching nothing: ``/healthcheck`` asks a remote
        engine this to see that one answers (the database has its own check)."""
        return "pong"

    def violations(self):
        """``{uuid: {type, status, message}}`` of placements breaking a rule."""
        return self.replica.read(violation_views.show)


def _decided(what, write):
    """``write()``'s answer; it returns ``(answer, log line)`` once
    committed, and the line is logged then, or the refusal is."""
    try:
        answer, line = write()
    except OstroError as exc:
        LOG.info("refused %s: %s: %s", what, exc.kind, exc.message)
        raise
    LOG.info("%s", line)
    return answer


def _plan_line(verb, plan, more=""):
    placed = ", ".join(f"{orch_id}@{placement.location}"
                       for orch_id, placement in sorted(plan.placements.items()))
    return (f"{verb}: plan={plan.id} stack={plan.stack_id} project={plan.project_id} "
            f"placements: {placed or 'none'}{more}")


def _placement_line(verb, engine, placement, more=""):
    plan = engine.plans.get(placement.plan_id)
    stack, project = (plan.stack_id, plan.project_id) if plan else (None, None)
    return (f"{verb}: placement={placement.orch_id} resource={placement.resource.resource_id} "
            f"host={placement.location} plan={placement.plan_id} stack={stack} "
            f"project={project}{more}")


def _adhoc_placement(engine, adhoc, resource_id, locations):
    """The ad hoc placement a reserve of ``resource_id`` takes (planned now,
    or a multi-create request's next unreserved one)."""
    count = adhoc.get("count") or 1
    stack_id = (adhoc.get("request_id") or resource_id) if count > 1 else resource_id
    # NOTE: a request's servers are named by request and index: the
    # instances' uuids are Nova's to give, one reserve at a time.
    resources = {resource_id: adhoc["resource"]} if count == 1 else {
        str(uuid.uuid5(REQUEST_NAMESPACE, f"{stack_id}/{index}")): adhoc["resource"]
        for index in range(count)}
    # NOTE: idempotent by stack id: a retried request (or the next instance
    # of a multi-create request) gets the one plan.
    plan = engine.plan(resources, stack_id=stack_id, name=adhoc.get("name"),
                       locations=locations, project_id=adhoc.get("project_id"))
    if count == 1:
        placement = plan.placements.get(resource_id)
    else:
        free = sorted(orch for orch, held in plan.placements.items()
                      if held.state is PlacementState.PLANNED)
        placement = plan.placements[free[0]] if free else None
    if placement is None:       # expired, or every server of the request is taken
        raise NotFound(f"plan {plan.id} holds no placement for {resource_id}")
    return placement


def _resized(engine, placement, flavor):
    """``(placement, resized)``: ``placement`` once its server's plan names
    ``flavor`` (the plan updated: capacity and extra specs of the new
    flavor); unchanged when it names it already or Valet does not know it
    (Nova's own filters judged the flavor; the plan keeps what it knows)."""
    wanted = engine.datacenter.find_flavor(flavor)
    plan = engine.plans.get(placement.plan_id)
    if wanted is None or plan is None or placement.resource.kind != "server" \
            or wanted.name == placement.resource.flavor:
        return placement, False
    entry = plan.resources[placement.orch_id]
    resized = {**plan.resources, placement.orch_id: {
        **entry, "properties": {**(entry.get("properties") or {}), "flavor": wanted.name}}}
    engine.update(plan.id, resized)
    return engine.placements[placement.orch_id], True


def _siblings(engine, placement):
    """Hosts of the other placements of ``placement``'s plan not yet reserved."""
    plan = engine.plans.get(placement.plan_id)
    return sorted({held.location for held in (plan.placements.values() if plan else ())
                   if held is not placement and held.state is PlacementState.PLANNED})


def _first(engine, keys):
    """The placement the first of ``keys`` that names one names, or None."""
    return next((found for found in map(engine.find_placement, keys) if found), None)


def _plan(engine, plan_id, project_id):
    """The plan ``plan_id`` names, if ``project_id`` (None: any) owns it."""
    plan = engine.get_plan(plan_id)
    if project_id is not None and plan.project_id != project_id:
        # NOTE: worded as Engine.get_plan words a missing plan.
        raise NotOwner(f"no plan {plan_id}")
    return plan


def _project_of(engine, placement):
    """The project owning ``placement``'s plan (None: an existing placement
    recorded outside any plan, which only a caller of every project sees)."""
    plan = engine.plans.get(placement.plan_id)
    return plan.project_id if plan else None
