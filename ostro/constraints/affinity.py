"""Affinity: every member of the group in one domain of the group's level."""

import numpy as np

from ostro.constraints.base import GroupRule, domain_mask


class Affinity(GroupRule):
    kind = "affinity"

    def __init__(self, group, items):
        super().__init__(group)
        self.pending = [items[orch] for orch in group.units if orch in items]

    def mask(self, state, item):
        compiled = state.compiled
        counter = state.counter(self.key)
        if counter is not None and any(d >= 0 for d in counter.members):
            return domain_mask(compiled, self.level, [d for d in counter.members if d >= 0])
        domains = compiled.domain[self.level]
        mask = domains >= 0
        unplaced = [other for other in self.pending if other.orch_id not in state.location_of]
        if len(unplaced) > 1:
            mask &= self._room_for(state, unplaced)
        return mask

    def _room_for(self, state, unplaced):
        """Domains whose free capacity could hold every unplaced member: a
        necessary condition, checked before the first member commits the group."""
        compiled = state.compiled
        domains = compiled.domain[self.level]
        size = compiled.domain_count(self.level)
        needed = np.sum([member.demand for member in unplaced], axis=0)
        usable = (domains >= 0) & compiled.enabled
        free = np.clip(state.headroom, 0, None)
        fits = np.ones(size + 1, dtype=bool)
        for dim in np.flatnonzero(needed > 0):
            room = np.bincount(domains[usable], weights=free[usable, dim], minlength=size)
            fits[:size] &= room + 1e-6 >= needed[dim]
        fits[-1] = False
        return fits[domains]

    def constrain(self, exact):
        """All members placed by the model pick the same single domain."""
        members = [orch for orch in self.members if orch in exact.items]
        counter = exact.state.counter(self.key)
        if len(members) < 2 or (counter is not None and counter.members):
            return   # one member, or the domain is already pinned in every candidate set
        presence = {orch: exact.presence(orch, self.level) for orch in members}
        domains = set().union(*(p.keys() for p in presence.values()))
        domains.discard(-1)
        chosen = {d: exact.model.NewBoolVar(f"aff_{self.key}_{d}") for d in domains}
        exact.model.AddExactlyOne(chosen.values())
        for orch in members:
            for domain, var in chosen.items():
                exact.model.Add(sum(presence[orch].get(domain, [])) == var)
