"""Affinity: every member of the group in one domain of the group's level.

Once the first member fixes the domain, the room the other members need
there is held: other items may not take it (otherwise a pipe peer or a
neighbour placed in between could leave the last member nowhere to go).
"""

import numpy as np

from ostro.constraints.base import GroupRule, Rule, best_domains, domain_mask
from ostro.cpsat import total
from ostro.model.topology import GroupKind, is_named_group_key


class Affinity(GroupRule):
    kind = GroupKind.AFFINITY

    def __init__(self, group, items):
        super().__init__(group)
        self.pending = [items[orch] for orch in group.units if orch in items]
        # NOTE: a named group's counter also counts its members of other plans.
        self._named = is_named_group_key(group.key)

    def anchored(self, state):
        """Domains where the group's placed members are."""
        counter = state.counter(self.key)
        return [d for d in counter.members if d >= 0] if counter is not None else []

    def mask(self, state, item):
        compiled = state.compiled
        anchored = self.anchored(state)
        if anchored:
            return domain_mask(compiled, self.level, anchored)
        domains = compiled.domain[self.level]
        mask = domains >= 0
        unplaced = [other for other in self.pending
                    if other is not item and other.orch_id not in state.location_of]
        if unplaced:
            mask &= self._room_for(state, unplaced + [item])
        return mask

    def fallback(self, state, item, mask):
        """The domains that hold the most members already (Nova's
        soft-affinity weigher's idea)."""
        counter = state.counter(self.key)
        if counter is None or not counter.members:
            return None
        return best_domains(state.compiled, self.level, mask,
                            lambda d: -counter.members.get(d, 0))

    def _room_for(self, state, members):
        """Domains whose free capacity could hold all ``members``: a
        necessary condition, checked before the first member commits the group."""
        compiled = state.compiled
        domains = compiled.domain[self.level]
        size = compiled.domain_count(self.level)
        needed = np.sum([member.demand for member in members], axis=0)
        usable = compiled.has_domain[self.level] & compiled.enabled
        free = np.clip(state.headroom, 0, None)
        fits = np.ones(size + 1, dtype=bool)
        for dim in np.flatnonzero(needed > 0):
            room = np.bincount(domains[usable], weights=free[usable, dim], minlength=size)
            fits[:size] &= room + 1e-6 >= needed[dim]
        fits[-1] = False
        return fits[domains]

    def hold_room(self, state, item):
        """Keep a non-member out of the group's domain if it would take room
        the unplaced members need there (None: no restriction)."""
        # NOTE: asked of every affinity group for every item placed, so the
        # common answers come first and cost no walk over the members: none
        # placed yet, or (in-stack groups, whose counter holds only this
        # stack's members) all of them placed.
        counter = state.counter(self.key)
        if counter is None or not counter.members:
            return None
        anchored = [domain for domain in counter.members if domain >= 0]
        if len(anchored) != 1:
            return None
        if not self._named and sum(counter.members.values()) >= len(self.pending):
            return None
        unplaced = [other for other in self.pending if other.orch_id not in state.location_of]
        if not unplaced:
            return None
        inside = domain_mask(state.compiled, self.level, anchored)
        inside &= state.compiled.enabled
        needed = np.sum([member.demand for member in unplaced], axis=0)
        room = np.clip(state.headroom[inside], 0, None).sum(axis=0)
        if np.all(room - item.demand + 1e-6 >= needed):
            return None
        return ~inside

    def constrain(self, exact):
        """All members placed by the model pick the same single domain."""
        members = [orch for orch in self.members if orch in exact.items]
        counter = exact.state.counter(self.key)
        anchored = counter is not None and counter.members
        if self.soft:
            self._constrain_soft(exact, members)
            return
        if len(members) < 2 or anchored:
            return   # one member, or the domain is already pinned in every candidate set
        presence = {orch: exact.presence(orch, self.level) for orch in members}
        domains = set().union(*(p.keys() for p in presence.values()))
        domains.discard(-1)
        chosen = {d: exact.model.new_bool_var(f"aff_{self.key}_{d}") for d in domains}
        exact.model.add_exactly_one(chosen.values())
        for orch in members:
            for domain, var in chosen.items():
                exact.model.add(total(presence[orch].get(domain, [])) == var)

    def _constrain_soft(self, exact, members):
        """Domains the group uses beyond the first, as few as possible: each
        domain a member of the model takes, unless the group is there already."""
        held = set(self.anchored(exact.state))
        if not members or (len(members) < 2 and not held):
            return
        spread = {}
        for orch in members:
            for domain, variables in exact.presence(orch, self.level).items():
                if domain not in held:
                    spread.setdefault(domain, []).extend(variables)
        for domain, variables in spread.items():
            if domain < 0:
                # NOTE: no domain at the level: each such member stands alone.
                exact.model.add(total(variables) <= exact.excess(
                    f"apart_{self.key}", len(members)))
                continue
            used = exact.excess(f"aff_{self.key}_{domain}", 1)
            for var in variables:
                exact.model.add(used >= var)
        # NOTE: the first domain opened costs the same in every answer (when
        # none was held), so counting it changes no choice.


class AffinityRoom(Rule):
    """Keeps every item out of room an affinity group, partly placed, holds
    for its unplaced members."""

    def __init__(self, affinities, pinned=()):
        self.affinities = list(affinities)
        self.pinned = set(pinned)
        self.label = "affinity room"
        # NOTE: a named group may be partly placed before the search (other
        # plans' members), so it is always asked; an in-stack group only
        # once the search placed one of its members (state.touched_affinity).
        self._named = [group for group in self.affinities if group._named]
        self._in_stack = {group.key: group for group in self.affinities if not group._named}

    def applies(self, item):
        # NOTE: a pinned item's one location was checked when it was placed
        # before, and the room check is only a necessary condition (summed
        # over the domain): applying it could refuse what fits host by host.
        return bool(self.affinities) and item.orch_id not in self.pinned

    def _asked(self, state):
        """The groups that may hold room in ``state``: the named ones, and
        the in-stack ones partly placed (those filled or emptied are dropped
        from the state's set until one of their members moves again)."""
        asked = list(self._named)
        for key in sorted(state.touched_affinity & self._in_stack.keys()):
            group = self._in_stack[key]
            counter = state.counter(key)
            if counter is None or sum(counter.members.values()) >= len(group.pending):
                state.touched_affinity.discard(key)
            else:
                asked.append(group)
        return asked

    def _holding(self, state, item):
        for group in self._asked(state):
            if item.orch_id not in group.members:
                narrowed = group.hold_room(state, item)
                if narrowed is not None:
                    yield group, narrowed

    def mask(self, state, item):
        mask = None
        for _, narrowed in self._holding(state, item):
            mask = narrowed if mask is None else mask & narrowed
        return mask

    def detail(self, state, item):
        names = ", ".join(group.group for group, _ in self._holding(state, item))
        return f"room held for the unplaced members of {names}"
