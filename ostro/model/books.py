"""Indexes over the engine's books (its plans and placements), so that no
write walks the whole history (issue 14 §1).

Every write starts with :meth:`ostro.engine.Engine.expire` and most with a
lookup by stack id (Heat's plan) or by resource id (Nova's instance); a
scan over every plan and placement made each of them grow with the cloud.
:class:`BookIndex` answers them in time that does not:

- plans by stack id and by project;
- placements by resource id;
- placements with a TTL (planned, reserved) by the moment they expire, in a
  heap.

The index holds ids, not objects, and every answer is checked against the
books themselves, so an entry the engine forgot to drop (a placement
released, a resource id replaced) answers nothing rather than something
wrong.  What the index cannot check is a change it was not told of: the
engine calls :meth:`BookIndex.track` after every change to a placement's
state, time or resource id, and tests/unit/test_engine_machine.py compares
every lookup with a full scan after random operations.
"""

import enum
import heapq
import typing


class UnitKind(enum.StrEnum):
    """What a store writes as one piece (:mod:`ostro.replica.changes`)."""

    PLAN = "plan"      # a plan with all its placements; the key is its id
    LOOSE = "loose"    # a placement outside any plan; the key is its orch id


class Unit(typing.NamedTuple):
    """One changed piece of the books (:meth:`ostro.engine.Engine.take_changes`)."""

    kind: UnitKind
    key: str


class BookIndex:
    """``ttl``: :class:`~ostro.model.placement.PlacementState` -> seconds
    a placement may stay in that state."""

    def __init__(self, ttl):
        self.ttl = dict(ttl)
        self._stack = {}        # stack id -> plan id
        self._project = {}      # project id -> {plan id}
        self._resource = {}     # resource id -> orch id
        self._due = []          # heap of (moment, orch id)
        self._moment = {}       # orch id -> its one live moment in the heap

    # -- plans ------------------------------------------------------------

    def add_plan(self, plan):
        if plan.stack_id is not None:
            self._stack[plan.stack_id] = plan.id
        self._project.setdefault(plan.project_id, set()).add(plan.id)

    def drop_plan(self, plan):
        if self._stack.get(plan.stack_id) == plan.id:
            del self._stack[plan.stack_id]
        owned = self._project.get(plan.project_id)
        if owned is not None:
            owned.discard(plan.id)
            if not owned:
                del self._project[plan.project_id]

    def plan_of_stack(self, plans, stack_id):
        """The plan of ``plans`` (id -> Plan) for ``stack_id``, or None."""
        plan = plans.get(self._stack.get(stack_id))
        return plan if plan is not None and plan.stack_id == stack_id else None

    def plans_of(self, plans, project_id):
        """The plans of ``project_id``, in no particular order."""
        return [plans[plan_id] for plan_id in self._project.get(project_id, ())
                if plan_id in plans and plans[plan_id].project_id == project_id]

    # -- placements -------------------------------------------------------

    def track(self, placement):
        """Index ``placement`` as it is now (new, or its state, time or
        resource id changed)."""
        resource_id = placement.resource.resource_id
        if resource_id:
            self._resource[resource_id] = placement.orch_id
        ttl = self.ttl.get(placement.state)
        if ttl is None:
            self._moment.pop(placement.orch_id, None)
            return
        moment = placement.updated_at + ttl
        if self._moment.get(placement.orch_id) != moment:
            self._moment[placement.orch_id] = moment
            heapq.heappush(self._due, (moment, placement.orch_id))

    def drop(self, placement):
        """Forget ``placement`` (released)."""
        if self._resource.get(placement.resource.resource_id) == placement.orch_id:
            del self._resource[placement.resource.resource_id]
        self._moment.pop(placement.orch_id, None)

    def in_flight(self, placements):
        """The placements of ``placements`` with a TTL running (planned or
        reserved: not yet active), in no particular order."""
        return [placements[orch] for orch in self._moment if orch in placements]

    def by_resource(self, placements, resource_id):
        """The placement of ``placements`` (orch id -> Placement) Nova knows
        as ``resource_id``, or None."""
        placement = placements.get(self._resource.get(resource_id))
        if placement is not None and placement.resource.resource_id == resource_id:
            return placement
        return None

    def expired(self, placements, now):
        """The orch ids of ``placements`` whose TTL ran out by ``now``, in
        the order they ran out; only the heap's head is read."""
        stale, early = [], []
        while self._due and self._due[0][0] <= now:
            moment, orch_id = heapq.heappop(self._due)
            if self._moment.get(orch_id) != moment:
                continue            # superseded by a later track(), or dropped
            placement = placements.get(orch_id)
            ttl = self.ttl.get(placement.state) if placement is not None else None
            if ttl is None:
                del self._moment[orch_id]
            elif now - placement.updated_at > ttl:
                # NOTE: forgotten now: a duplicate entry (a placement dropped
                # and tracked again at the same moment) must not count twice.
                del self._moment[orch_id]
                stale.append(orch_id)
            else:
                # NOTE: the same test as a scan's (now - updated_at > ttl),
                # which float rounding may answer differently from
                # ``moment <= now``: keep the entry for a later call.
                early.append((moment, orch_id))
        for entry in early:
            heapq.heappush(self._due, entry)
        return stale
