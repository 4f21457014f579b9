"""Diversity: no two members share a domain of the group's level.

Members are *units*: a nested group counts as one member, so its own leaves
may share a domain with each other but not with another unit.
"""

from ostro.constraints.base import GroupRule, domain_mask
from ostro.cpsat import total
from ostro.model.topology import GroupKind


class Diversity(GroupRule):
    kind = GroupKind.DIVERSITY

    def __init__(self, group, items):
        super().__init__(group)

    def mask(self, state, item):
        compiled = state.compiled
        counter = state.counter(self.key)
        if counter is None or not counter.members:
            return None
        own = counter.units.get(self.unit_of(item), {})
        blocked = [d for d, count in counter.members.items()
                   if d >= 0 and count - own.get(d, 0) > 0]
        if not blocked:
            return None
        return ~domain_mask(compiled, self.level, blocked)

    def constrain(self, exact):
        """In each domain, at most one unit has members placed by the model."""
        units = {}
        for orch in self.members:
            if orch in exact.items:
                units.setdefault(self.rule.units[orch], []).append(orch)
        if len(units) < 2:
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
