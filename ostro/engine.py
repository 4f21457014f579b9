"""The engine's operations: plan, update, replan, migrate, ad hoc, reserve,
release — over one data centre and the placements committed so far.

Every operation follows one path: parse the resources, pin what must stay,
search, then commit the result to the long-lived search state.  Kept
servers are *pinned* (their only candidate is their current host), so an
update or replan is the same whole-stack search with fewer choices, and a
pinned server that no longer satisfies the rules is refused by name.
"""

import threading
import time

from ostro.config import EngineSettings
from ostro.deadline import Deadline
from ostro.errors import Duplicate, InvalidInput, NotFound
from ostro.model import plan as plan_model
from ostro.model.books import BookIndex, Unit, UnitKind
from ostro.model.placement import Placement, PlacementState, group_rules, memberships, scoped_rules
from ostro.parse import limits
from ostro.parse import recorded as recorded_parser
from ostro.parse import resources as parser
from ostro.search import items as item_model
from ostro.search.alternates import alternates
from ostro.search.compiled import CompiledDatacenter
from ostro.search.planner import solve
from ostro.search.problem import Problem
from ostro.search.state import SearchState


class Engine:
    def __init__(self, datacenter, settings=None, named_groups=()):
        self.settings = settings or EngineSettings()
        self.datacenter = datacenter
        self.compiled = CompiledDatacenter(datacenter, self.settings)
        self.state = SearchState(self.compiled)
        self.named_groups = {}
        for group in named_groups:
            self.add_named_group(group)
        self.plans = {}          # plan id -> Plan
        self.placements = {}     # orch id -> Placement
        # NOTE: every change to either goes through this class, which keeps
        # the index true (ostro.model.books).
        self.books = BookIndex({PlacementState.PLANNED: self.settings.planned_ttl,
                                PlacementState.RESERVED: self.settings.reserved_ttl})
        # NOTE: the Units changed since the last take_changes(), so a store
        # writes only those (ostro.replica.changes).
        self._changed = set()
        self._lock = threading.RLock()

    def take_changes(self):
        """The :class:`Unit` s changed since the last call (a frozenset), and
        forget them: the caller now owns writing (or discarding) them."""
        with self._lock:
            changed, self._changed = frozenset(self._changed), set()
            return changed

    # -- named groups -------------------------------------------------------

    def add_named_group(self, group):
        self.named_groups[group.name] = group
        if group.id:
            self.named_groups[group.id] = group

    # -- planning -----------------------------------------------------------

    def validator(self):
        """``validate(resources, project_id=None)``, which refuses resources
        a plan would refuse before any search: over a size limit,
        unparsable, contradicting itself (within the budget).  It holds the
        data centre and named groups as they are now and needs no lock, so
        the API runs it before it waits for the write lock (and outside the
        replica's): heavy or bad input never holds either."""
        datacenter, named_groups = self.datacenter, dict(self.named_groups)

        def validate(resources, project_id=None):
            limits.check(resources, self.settings)
            parser.parse(resources, datacenter, named_groups, project_id,
                         deadline=self.budget())
        return validate

    def budget(self):
        """A fresh :class:`Deadline` of ``[engine] request_time_budget``."""
        return Deadline(self.settings.request_time_budget or None)

    def plan(self, resources, stack_id=None, name=None, project_id=None, locations=None,
             dry_run=False):
        """Place a whole stack; idempotent by ``stack_id``.  A ``dry_run``
        answers the plan it would make (or refuses as it would) and keeps
        nothing: the plan is in neither :attr:`plans` nor the search state."""
        with self._lock:
            existing = self.find_plan(stack_id) if stack_id else None
            if existing is not None:
                # NOTE: idempotent for the owner only; another project must not
                # read (or hold) a plan by guessing its stack id.
                if None not in (project_id, existing.project_id) and \
                        project_id != existing.project_id:
                    raise Duplicate(f"stack {stack_id} is already planned by another project")
                return existing
            limits.check(resources, self.settings)
            plan = plan_model.new_plan(name, stack_id, resources, project_id)
            # NOTE: ``locations`` are the hosts Nova may use; volumes go to
            # backends, which such a list never names.
            allowed = {orch: set(locations) for orch, entry in resources.items()
                       if isinstance(entry, dict)
                       and entry.get("type") in parser.SERVER_TYPES} if locations else None
            if dry_run:
                stack, rules, _, solution = self._solve(plan, resources, allowed=allowed)
                plan.placements = self._placements(plan, stack, rules, solution)
                plan.method, plan.trial_state = solution.method, solution.state
            else:
                self._place(plan, resources, allowed=allowed)
            return plan

    def update(self, plan_id, resources, project_id=None):
        """Keep unchanged servers where they are, place new and resized ones,
        drop removed ones."""
        with self._lock:
            plan = self.get_plan(plan_id)
            # NOTE: what the plan was is read as committed (its groups or
            # flavors may be gone); what it becomes must pass today's rules.
            old_stack = self._recorded(plan).stack
            limits.check(resources, self.settings)
            budget = self.budget()
            new_stack = self._parse(resources, project_id or plan.project_id, budget)
            pins = {orch: locations for orch, locations in self._pins(plan, None).items()
                    if orch in new_stack.resources
                    and _unchanged(old_stack.resources.get(orch), new_stack.resources[orch])}
            self._place(plan, resources, allowed=pins, stack=new_stack, budget=budget)
            plan.resources = dict(resources)
            return plan

    def replan(self, orch_id, locations, resource_id=None):
        """Re-place one resource within ``locations``; the rest of its plan
        stays.  ``resource_id``: the id Nova now knows it by."""
        with self._lock:
            plan, placement = self._owner(orch_id)
            pins = self._pins(plan, except_for=orch_id)
            pins[orch_id] = set(locations)
            self._place(plan, plan.resources, allowed=pins)
            placement = plan.placements[orch_id]
            if resource_id:
                self._record(placement, resource_id=resource_id)
            return placement

    def migrate(self, plan_id, orch_id, excluded_hosts=()):
        """Move one resource off its location and ``excluded_hosts``."""
        with self._lock:
            plan = self.get_plan(plan_id)
            placement = self.find_placement(orch_id)
            if placement is None or placement.plan_id != plan.id:
                raise NotFound(f"plan {plan.id} has no resource {orch_id}")
            pins = self._pins(plan, except_for=placement.orch_id)
            excluded = {placement.orch_id: {placement.location, *excluded_hosts}}
            self._place(plan, plan.resources, allowed=pins, excluded=excluded)
            return plan.placements[placement.orch_id]

    def alternates(self, orch_id, locations, limit):
        """Up to ``limit`` hosts among ``locations`` where the placed server
        ``orch_id`` could go instead, the rest of its plan unchanged (Nova's
        alternates for a failed build), best first."""
        with self._lock:
            plan, _ = self._owner(orch_id)
            item = self.state.items.get(orch_id)
            if item is None or not item.is_server:
                return []
            rules = scoped_rules(plan.id, group_rules(self._recorded(plan).stack))
            return alternates(self.compiled, self.state, item, rules, locations,
                              self.settings.objective, limit)

    def adhoc(self, orch_id, resource, project_id=None, locations=None):
        """Place one server booted without Heat, honouring its named groups."""
        with self._lock:
            if orch_id in self.placements:
                return self.placements[orch_id]
            plan = plan_model.new_plan(resource.get("name") or orch_id, None,
                                       {orch_id: resource}, project_id)
            allowed = {orch_id: set(locations)} if locations else None
            self._place(plan, plan.resources, allowed=allowed)
            return plan.placements[orch_id]

    # -- reservations -------------------------------------------------------

    def reserve(self, orch_id, locations, resource_id=None):
        """Confirm a placement for Nova; re-plan it within ``locations`` if
        its planned host is not among them."""
        with self._lock:
            _, placement = self._owner(orch_id)
            if locations and placement.location not in locations:
                placement = self.replan(placement.orch_id, locations)
            self._record(placement, PlacementState.RESERVED, plan_model.now(), resource_id)
            return placement

    def release(self, orch_id):
        """Free one placement's capacity.  Releasing twice is harmless."""
        with self._lock:
            placement = self._unbook(orch_id)
            if placement is not None:
                self.state.forget(orch_id)
            return placement

    def _unbook(self, orch_id):
        """Drop a placement from the books (not from the search state)."""
        placement = self.placements.pop(orch_id, None)
        if placement is not None:
            self.books.drop(placement)
            self._touch(placement)
            plan = self.plans.get(placement.plan_id)
            if plan is not None:
                plan.placements.pop(orch_id, None)
        return placement

    def delete_plan(self, plan_id):
        with self._lock:
            plan = self.get_plan(plan_id)
            for orch_id in list(plan.placements):
                self.release(orch_id)
            del self.plans[plan.id]
            self.books.drop_plan(plan)
            self._changed.add(Unit(UnitKind.PLAN, plan.id))

    def expire(self, now=None):
        """Release planned and reserved placements older than their TTL."""
        now = plan_model.now() if now is None else now
        with self._lock:
            stale = self.books.expired(self.placements, now)
            for orch_id in stale:
                self.release(orch_id)
            return stale

    def add_existing(self, orch_id, resource, location, project_id=None):
        """Record a placement made elsewhere (``valet-sim --existing``, sync)."""
        with self._lock:
            stack = self._parse({orch_id: resource}, project_id)
            if orch_id not in stack.resources:
                raise InvalidInput(f"existing {orch_id}: not a server or volume")
            if orch_id in self.placements:
                raise InvalidInput(f"existing {orch_id}: it is already placed")
            if location not in self.compiled.index:
                raise InvalidInput(f"existing {orch_id}: unknown location {location!r}")
            index = self.compiled.index[location]
            wanted = "server" if self.compiled.is_host[index] else "volume"
            if stack.resources[orch_id].kind != wanted:
                raise InvalidInput(f"existing {orch_id}: a {stack.resources[orch_id].kind} "
                                   f"cannot be at {location}")
            return self._book_existing(orch_id, resource, location, stack)

    def restore_existing(self, orch_id, resource, location, state, updated_at,
                         resource_id=None):
        """Put back a placement outside any plan as the store holds it,
        whatever today's data centre says of it (:mod:`ostro.parse.recorded`)."""
        with self._lock:
            stack = recorded_parser.parse({orch_id: resource}, self.datacenter,
                                          self.named_groups, placed=(orch_id,)).stack
            placement = self._book_existing(orch_id, resource, location, stack)
            self._record(placement, state, updated_at, resource_id)
            return placement

    def _book_existing(self, orch_id, resource, location, stack):
        rules = group_rules(stack)
        self._assume_at(item_model.stack_items(stack, rules)[orch_id], location)
        placement = Placement(orch_id, stack.resources[orch_id], location,
                              state=PlacementState.ACTIVE, groups=memberships(rules, orch_id),
                              entry=dict(resource), updated_at=plan_model.now())
        self.placements[orch_id] = placement
        self.books.track(placement)
        self._touch(placement)
        return placement

    def restore_plan(self, plan, locations):
        """Put back a plan and its placements as recorded (``locations``:
        orch id -> (location name, state, updated_at, resource id)), without
        searching: the engine's memory is a cache of what the store holds."""
        with self._lock:
            stack = self._recorded(plan, placed=locations).stack
            rules = scoped_rules(plan.id, group_rules(stack))
            items = item_model.stack_items(stack, rules)
            for orch_id, (location, state, updated_at, resource_id) in locations.items():
                self._assume_at(items[orch_id], location)
                placement = Placement(orch_id, stack.resources[orch_id], location,
                                      plan_id=plan.id, state=state, updated_at=updated_at,
                                      groups=memberships(rules, orch_id))
                if resource_id:
                    placement.resource.resource_id = resource_id
                plan.placements[orch_id] = placement
                self.placements[orch_id] = placement
                self.books.track(placement)
            self.plans[plan.id] = plan
            self.books.add_plan(plan)
            self._changed.add(Unit(UnitKind.PLAN, plan.id))
            return plan

    # -- lookups ------------------------------------------------------------

    def find_plan(self, plan_or_stack_id):
        plan = self.plans.get(plan_or_stack_id)
        return plan if plan is not None else \
            self.books.plan_of_stack(self.plans, plan_or_stack_id)

    def plans_of(self, project_id):
        """``project_id``'s plans (every plan when None)."""
        if project_id is None:
            return list(self.plans.values())
        return self.books.plans_of(self.plans, project_id)

    def get_plan(self, plan_or_stack_id):
        return _found(self.find_plan(plan_or_stack_id), f"no plan {plan_or_stack_id}")

    def find_placement(self, key):
        """The placement whose orchestration id (or else resource id, the id
        Nova knows it by) is ``key``, or None: the one lookup every
        operation on a placement starts from."""
        placement = self.placements.get(key)
        return placement if placement is not None else \
            self.books.by_resource(self.placements, key)

    def find_by_hints(self, hints):
        """A planned server placement (not yet reserved) whose hints Nova's
        boot carries (``hints``: the boot's scheduler hints, every one of
        the placement's must be among them), or None; the first by orch id."""
        matching = [placement for placement in self.books.in_flight(self.placements)
                    if placement.state is PlacementState.PLANNED
                    and getattr(placement.resource, "hints", None)
                    and all(hints.get(key) == value
                            for key, value in placement.resource.hints.items())]
        return min(matching, key=lambda placement: placement.orch_id, default=None)

    def get_placement(self, key):
        return _found(self.find_placement(key), f"no placement {key}")

    def _named_for(self, placement, project_id):
        """`` by plan <id>`` when ``project_id`` may know ``placement``'s plan
        (its own, or either side has no project); else nothing, so a reused
        orchestration id never names another project's plan."""
        owner = self.plans.get(placement.plan_id)
        if owner is None:
            return " by existing placements" if placement.plan_id is None else ""
        if None in (project_id, owner.project_id) or project_id == owner.project_id:
            return f" by plan {owner.id}"
        return ""

    def _owner(self, orch_or_resource_id):
        placement = self.find_placement(orch_or_resource_id)
        if placement is None or placement.plan_id not in self.plans:
            raise NotFound(f"no placement {orch_or_resource_id}")
        return self.plans[placement.plan_id], placement

    # -- the one path every operation takes ---------------------------------

    def _parse(self, resources, project_id, deadline=None):
        return parser.parse(resources, self.datacenter, self.named_groups, project_id,
                            deadline=deadline)

    def _recorded(self, plan, placed=()):
        """``plan`` as committed, read against today's data centre and groups
        without refusing (:mod:`ostro.parse.recorded`)."""
        return recorded_parser.parse(plan.resources, self.datacenter, self.named_groups,
                                     plan.project_id, placed)

    def _assume_at(self, item, location):
        """Count ``item`` at the location named ``location`` as committed."""
        # NOTE: a location the data centre no longer has holds nothing the
        # search could count: the placement stays on the books (and in
        # /v1/resources) until its plan's next change re-places it.
        if location in self.compiled.index:
            self.state.assume(item, self.compiled.index[location], new=False)

    def _pins(self, plan, except_for):
        """Every placement of ``plan`` but ``except_for`` pinned where it is;
        one on a location that is gone is free to move."""
        return {orch: {p.location} for orch, p in plan.placements.items()
                if orch != except_for and p.location in self.compiled.index}

    def _place(self, plan, resources, allowed=None, excluded=None, stack=None, budget=None):
        # NOTE: the budget covers all of the planning, not only the search;
        # it is checked only before _commit, so a refusal changes nothing.
        self._commit(plan, *self._solve(plan, resources, allowed, excluded, stack, budget))

    def _solve(self, plan, resources, allowed=None, excluded=None, stack=None, budget=None):
        """``(stack, rules, items, solution)`` for ``plan``'s new
        ``resources``; nothing of the engine changes."""
        # NOTE: the search budget counts from here, so reading a big stack
        # comes out of it rather than on top of it.
        started = time.monotonic()
        budget = budget or self.budget()
        stack = stack or self._parse(resources, plan.project_id, budget)
        for orch_id in stack.resources:
            owner = self.placements.get(orch_id)
            if owner is not None and owner.plan_id != plan.id:
                raise InvalidInput(f"resource {orch_id} is already placed"
                                   f"{self._named_for(owner, plan.project_id)}")
        rules = scoped_rules(plan.id, group_rules(stack))
        items = item_model.stack_items(stack, rules)
        # NOTE: the search never writes to its base state, so a new plan can
        # search on the live state without copying it.
        base = self.state
        if plan.placements:
            base = self.state.copy()
            for orch_id in plan.placements:
                base.forget(orch_id)
        problem = Problem(self.compiled, items, rules, allowed=allowed, excluded=excluded,
                          objective=self.settings.objective)
        deadline = started + self.settings.solver_time_budget
        return stack, rules, items, solve(problem, base, self.settings, deadline=deadline,
                                          budget=budget)

    def _placements(self, plan, stack, rules, solution):
        """orch id -> the :class:`Placement` ``solution`` gives ``plan``'s
        resources (stored nowhere yet)."""
        stamp = plan_model.now()
        return {orch_id: Placement(orch_id, stack.resources[orch_id],
                                   self.compiled.names[location], plan_id=plan.id,
                                   groups=memberships(rules, orch_id), updated_at=stamp)
                for orch_id, location in solution.locations.items()}

    def _commit(self, plan, stack, rules, items, solution):
        before = dict(plan.placements)
        for orch_id in list(plan.placements):
            self.release(orch_id)
        # NOTE: replayed onto the live state rather than adopting the
        # solution's state, which is layered over the live one.
        for orch_id, location in solution.locations.items():
            self.state.assume(items[orch_id], location, new=False)
        for orch_id, placement in self._placements(plan, stack, rules, solution).items():
            earlier = before.get(orch_id)
            if earlier is not None and earlier.location == placement.location:
                # NOTE: a resource that stays keeps its lifecycle (a reserved
                # server must not fall back to planned when a sibling moves).
                placement.state, placement.updated_at = earlier.state, earlier.updated_at
                placement.resource.resource_id = earlier.resource.resource_id
            plan.placements[orch_id] = placement
            self.placements[orch_id] = placement
            self.books.track(placement)
        plan.method = solution.method
        self.plans[plan.id] = plan
        self.books.add_plan(plan)
        self._changed.add(Unit(UnitKind.PLAN, plan.id))

    def _record(self, placement, state=None, updated_at=None, resource_id=None):
        """Change what is recorded of ``placement`` (what is given), indexed."""
        if state is not None:
            placement.state = PlacementState(state)
        if updated_at is not None:
            placement.updated_at = updated_at
        if resource_id:
            placement.resource.resource_id = resource_id
        self.books.track(placement)
        self._touch(placement)

    def _touch(self, placement):
        if placement.plan_id is None:
            self._changed.add(Unit(UnitKind.LOOSE, placement.orch_id))
        else:
            self._changed.add(Unit(UnitKind.PLAN, placement.plan_id))


def _found(thing, missing):
    """``thing``, or :class:`NotFound` saying ``missing`` when it is None."""
    if thing is None:
        raise NotFound(missing)
    return thing


def _unchanged(old, new):
    """Whether an updated resource can stay where it is (same size and zone)."""
    if old is None or old.kind != new.kind:
        return False
    return old.demand == new.demand and old.availability_zone == new.availability_zone
