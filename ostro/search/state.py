"""Mutable search state: usage, domain counts, group counters, uplink use
(charges of pipes with both ends placed) and holds (pipes with one end placed).

``assume`` and ``forget`` are exact inverses and ``forget`` is idempotent
(as in the Kubernetes scheduling framework), so the search can try, undo
and retry freely, and the service can keep one long-lived state in step
with the store.
"""

import numpy as np

from ostro.model.datacenter import LEVELS
from ostro.model.topology import GroupKind
from ostro.search.layer import Layer


class GroupCounter:
    """Where a group's placed members are, per domain of the group's level.

    Sparse (dicts), because a data centre has thousands of groups but each
    touches few domains.
    """

    __slots__ = ("key", "kind", "level", "members", "servers", "units")

    def __init__(self, key, kind, level):
        self.key, self.kind, self.level = key, kind, level
        self.members = {}   # domain -> placed members
        self.servers = {}   # domain -> placed server members
        self.units = {}     # nested unit -> {domain -> placed members}

    def clone(self):
        twin = GroupCounter(self.key, self.kind, self.level)
        twin.members = dict(self.members)
        twin.servers = dict(self.servers)
        twin.units = {unit: dict(counts) for unit, counts in self.units.items()}
        return twin

    def add(self, domain, unit, is_server, delta):
        """Count a member in or out; ``unit`` is None for a plain member (its
        own unit: nothing else shares it, so nothing to track)."""
        _bump(self.members, domain, delta)
        if is_server:
            _bump(self.servers, domain, delta)
        if unit is None:
            return
        unit_counts = self.units.setdefault(unit, {})
        _bump(unit_counts, domain, delta)
        if not unit_counts:
            del self.units[unit]



def _bump(counts, key, delta):
    value = counts.get(key, 0) + delta
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


class SearchState:
    """``track_holds`` is off for the engine's live state: there every pipe
    has both ends placed, and releasing one end (a deleted instance) drops
    the pipe rather than leaving a hold on the other.  Copies a search
    works on track holds."""

    def __init__(self, compiled, track_holds=False):
        self.compiled = compiled
        self.track_holds = track_holds
        # NOTE: affinity groups a member of which this search placed or
        # moved: the only in-stack groups that can be partly placed, so
        # the only ones AffinityRoom must ask (pruned by it as they fill).
        # The live state (no track_holds) keeps none.
        self.touched_affinity = set()
        self.headroom = (compiled.capacity - compiled.base_used).copy(order="F")
        self.servers_in, self.exclusive, self.uplink_used, self.new_in = {}, {}, {}, {}
        self.uplink_held = {}
        for level in LEVELS:
            size = compiled.domain_count(level)
            domains = compiled.domain[level]
            occupied = (compiled.foreign > 0) & (domains >= 0)
            self.servers_in[level] = np.bincount(domains[occupied], minlength=size)
            self.exclusive[level] = np.zeros(size, dtype=np.int64)
            self.uplink_used[level] = np.zeros(size)
            self.uplink_held[level] = np.zeros(size)
            self.new_in[level] = np.zeros(size, dtype=np.int64)
        self.exclusive_total = dict.fromkeys(LEVELS, 0)
        self.groups = {}
        self._owned = set()
        self._own_levels = {(name, level) for level in LEVELS
                            for name in ("exclusive", "uplink_used", "uplink_held")}
        self.location_of = {}
        self.items = {}
        self.new = set()

    def copy(self):
        """A state that can change without touching this one (which must not
        change while the copy is in use).

        Group counters are shared until written (copy on write) and the
        placement maps are layered, so a copy costs the same with 10 or
        100,000 placements committed.
        """
        twin = SearchState.__new__(SearchState)
        twin.compiled = self.compiled
        twin.track_holds = True
        twin.headroom = self.headroom.copy(order="F")
        for name in ("servers_in", "new_in"):
            setattr(twin, name, {level: array.copy() for level, array in
                                 getattr(self, name).items()})
        # Exclusive and uplink counts change rarely: shared until written.
        twin.exclusive = dict(self.exclusive)
        twin.uplink_used = dict(self.uplink_used)
        twin.uplink_held = dict(self.uplink_held)
        twin._own_levels = set()
        twin.exclusive_total = dict(self.exclusive_total)
        twin.groups = Layer(self.groups)
        twin._owned = set()
        twin.location_of = Layer(self.location_of)
        twin.items = Layer(self.items)
        twin.new = set(self.new)
        twin.touched_affinity = set(self.touched_affinity)
        return twin

    @property
    def used(self):
        """Capacity in use per location and dimension (existing load included)."""
        return self.compiled.capacity - self.headroom

    def _writable(self, name, level):
        arrays = getattr(self, name)
        if (name, level) not in self._own_levels:
            arrays[level] = arrays[level].copy()
            self._own_levels.add((name, level))
        return arrays[level]

    def holds_exclusive(self, level):
        """Whether any exclusive group has a server in a domain of ``level``."""
        return self.exclusive_total[level] > 0

    def counter(self, key):
        return self.groups.get(key)

    def _writable_counter(self, membership):
        counter = self.groups.get(membership.key)
        if counter is None:
            counter = GroupCounter(membership.key, membership.kind, membership.level)
        elif membership.key not in self._owned:
            counter = counter.clone()
        self.groups[membership.key] = counter
        self._owned.add(membership.key)
        return counter

    def assume(self, item, location, new=True):
        """Count ``item`` as if at ``location`` (an index into the compiled
        arrays): its demand leaves that location's headroom until forgotten."""
        if item.orch_id in self.location_of:
            raise ValueError(f"{item.name} is already placed")
        self._apply(item, location, +1, new)
        self.location_of[item.orch_id] = location
        self.items[item.orch_id] = item
        if new:
            self.new.add(item.orch_id)

    def forget(self, orch_id):
        """Undo :meth:`assume` for ``orch_id``; a no-op if it holds nothing."""
        location = self.location_of.get(orch_id)
        if location is None:
            return None
        item = self.items[orch_id]
        new = orch_id in self.new
        del self.location_of[orch_id]
        self._apply(item, location, -1, new)
        del self.items[orch_id]
        self.new.discard(orch_id)
        return location

    def _apply(self, item, location, sign, new):
        compiled = self.compiled
        self.headroom[location] -= sign * item.demand
        for level in LEVELS:
            domain = compiled.domain[level][location]
            if domain < 0:
                continue
            if item.is_server:
                self.servers_in[level][domain] += sign
            if new:
                self.new_in[level][domain] += sign
        for membership in item.groups:
            domain = int(compiled.domain[membership.level][location])
            counter = self._writable_counter(membership)
            nested = membership.unit if membership.unit != item.orch_id else None
            counter.add(domain, nested, item.is_server, sign)
            if not counter.members:
                # NOTE: drop empty counters, or deleted plans' groups pile up.
                self.groups.pop(membership.key, None)
                self._owned.discard(membership.key)
            if membership.kind == GroupKind.AFFINITY and self.track_holds:
                self.touched_affinity.add(membership.key)
            if membership.kind == GroupKind.EXCLUSIVITY and item.is_server and domain >= 0:
                self._writable("exclusive", membership.level)[domain] += sign
                self.exclusive_total[membership.level] += sign
        for end in item.pipes:
            peer_location = self.location_of.get(end.peer)
            if peer_location is None:
                self.hold_pipe(location, sign * end.bandwidth)
            else:
                self.charge_pipe(location, peer_location, sign * end.bandwidth)
                self.hold_pipe(peer_location, -sign * end.bandwidth)

    def charge_pipe(self, first, second, bandwidth):
        """Add ``bandwidth`` to the uplinks a pipe between two locations crosses."""
        for level, domains in self.compiled.domain.items():
            a, b = domains[first], domains[second]
            if a == b and a >= 0:
                continue
            for domain in (a, b):
                if domain >= 0:
                    self._writable("uplink_used", level)[domain] += bandwidth

    def hold_pipe(self, location, bandwidth):
        """Note ``bandwidth`` on every uplink above ``location`` for a pipe
        whose other end is not placed yet.  Placing the other end swaps the
        hold for the real charge (never larger).  Holds are advice for the
        heuristic's choice, not capacity: the other end may land beside it."""
        if not self.track_holds:
            return
        for level, domains in self.compiled.domain.items():
            domain = domains[location]
            if domain >= 0:
                self._writable("uplink_held", level)[domain] += bandwidth

    def free(self):
        return self.headroom
