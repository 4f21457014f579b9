"""Diversity: at most ``max_per_domain`` members (1 unless the group says
otherwise) share a domain of the group's level.

Members are *units*: a nested group counts as one member, so its own leaves
may share a domain with each other but not with other units beyond the limit.
"""

from ostro.constraints.base import GroupRule, best_domains, domain_mask
from ostro.cpsat import total
from ostro.model.topology import GroupKind


class Diversity(GroupRule):
    kind = GroupKind.DIVERSITY

    def __init__(self, group, items):
        super().__init__(group)
        self.limit = group.max_per_domain

    def mask(self, state, item):
        compiled = state.compiled
        counter = state.counter(self.key)
        if counter is None or not counter.members:
            return None
        own = counter.units.get(self.unit_of(item), {})
        if self.limit == 1:
            # The common case, without counting units: any other member blocks.
            blocked = [d for d, count in counter.members.items()
                       if d >= 0 and count - own.get(d, 0) > 0]
        else:
            # A domain where the item's own unit already is gains no unit.
            blocked = [d for d, count in placed_units(counter).items()
                       if d >= 0 and not own.get(d) and count >= self.limit]
        if not blocked:
            return None
        return ~domain_mask(compiled, self.level, blocked)

    def fallback(self, state, item, mask):
        """The least crowded domains: the item's unit adds nothing where it
        already is, elsewhere one unit more."""
        counter = state.counter(self.key)
        if counter is None:
            return None
        distinct = placed_units(counter)
        own = counter.units.get(self.unit_of(item), {})
        return best_domains(state.compiled, self.level, mask,
                            lambda d: distinct.get(d, 0) - (1 if own.get(d) else 0))

    def constrain(self, exact):
        """In each domain, at most one unit has members placed by the model."""
        units = {}
        for orch in self.members:
            if orch in exact.items:
                units.setdefault(self.rule.units[orch], []).append(orch)
        if not units or (len(units) < 2 and not self.soft):
            return
        if self.limit > 1 or self.soft:
            # NOTE: a soft rule's candidates were not narrowed by the members
            # already placed (exact.candidate_sets), so it counts them here.
            self._constrain_limit(exact, units)
            return
        per_domain = {}
        for unit, leaves in units.items():
            for domain, present in self._unit_presence(exact, unit, leaves).items():
                if domain >= 0:
                    per_domain.setdefault(domain, []).append(present)
        for domain, terms in per_domain.items():
            if len(terms) > 1:
                limit = exact.at_most_one_unless_unused(domain) if self.level == "host" else 1
                exact.model.add(total(terms) <= limit)

    def _constrain_limit(self, exact, units):
        """In each domain, the units already there plus the units the model
        adds stay within the limit (a unit already there adds nothing)."""
        counter = exact.state.counter(self.key)
        before = placed_units(counter) if counter is not None else {}
        per_domain = {}
        for unit, leaves in units.items():
            for domain, present in self._unit_presence(exact, unit, leaves).items():
                if domain < 0:
                    continue
                if counter is not None and counter.units.get(unit, {}).get(domain):
                    continue
                per_domain.setdefault(domain, []).append(present)
        for domain, terms in per_domain.items():
            room = self.limit - before.get(domain, 0)
            if len(terms) <= room:
                continue
            if self.soft:
                # NOTE: units beyond the limit, as few as possible (ostro.search.soft).
                over = exact.excess(f"over_{self.key}_{domain}", len(terms))
                exact.model.add(total(terms) - over <= max(room, 0))
            else:
                exact.model.add(total(terms) <= room)

    def _unit_presence(self, exact, unit, leaves):
        """domain -> expression that is 1 when the unit has a member there."""
        if len(leaves) == 1:
            return {d: total(v) for d, v in exact.presence(leaves[0], self.level).items()}
        merged = {}
        for leaf in leaves:
            for domain, variables in exact.presence(leaf, self.level).items():
                merged.setdefault(domain, []).extend(variables)
        present = {}
        for domain, variables in merged.items():
            flag = exact.model.new_bool_var(f"div_{self.key}_{unit}_{domain}")
            exact.model.add_max_equality(flag, variables)
            present[domain] = flag
        return present


def placed_units(counter):
    """domain -> distinct units of the group placed there: each plain member
    is its own unit; a nested unit counts once however many leaves it has."""
    distinct = dict(counter.members)
    for counts in counter.units.values():
        for domain, members in counts.items():
            distinct[domain] = distinct.get(domain, 0) + 1 - members
    return distinct
