"""Exclusivity: the domains a group's members use hold no server outside it.

Two rules: :class:`Exclusivity` keeps a member out of domains that hold
outsiders; :class:`ExclusiveGuard` keeps every other server out of domains
an exclusive group already holds (groups of earlier plans included).
"""

import numpy as np

from ostro.constraints.base import PLURAL, GroupRule, Rule
from ostro.cpsat import total
from ostro.model.topology import GroupKind


def _open_domains(state, level, occupied):
    """Mask over locations whose domain's ``occupied`` count is zero; a
    location with no domain at the level is always open."""
    compiled = state.compiled
    is_open = np.ones(compiled.domain_count(level) + 1, dtype=bool)
    is_open[:-1] = occupied == 0
    return is_open[compiled.domain[level]]


def _group_servers(state, key, level):
    counts = np.zeros(state.compiled.domain_count(level), dtype=np.int64)
    counter = state.counter(key)
    if counter is not None:
        for domain, count in counter.servers.items():
            if domain >= 0:
                counts[domain] += count
    return counts


class Exclusivity(GroupRule):
    kind = GroupKind.EXCLUSIVITY

    def __init__(self, group, items):
        super().__init__(group)

    def mask(self, state, item):
        outsiders = state.servers_in[self.level] - _group_servers(state, self.key, self.level)
        return _open_domains(state, self.level, outsiders)

    def constrain(self, exact):
        """If a member uses a domain, no non-member server placed by the model is there."""
        members = [orch for orch in self.members if orch in exact.items]
        outsiders = [orch for orch, item in exact.items.items()
                     if item.is_server and orch not in self.members]
        if not members or not outsiders:
            return
        used = {}
        for orch in members:
            for domain, variables in exact.presence(orch, self.level).items():
                if domain >= 0:
                    used.setdefault(domain, []).extend(variables)
        for domain, variables in used.items():
            others = [v for orch in outsiders
                      for v in exact.presence(orch, self.level).get(domain, [])]
            if not others:
                continue
            taken = exact.model.new_bool_var(f"excl_{self.key}_{domain}")
            exact.model.add_max_equality(taken, variables)
            exact.model.add(total(others) == 0).only_enforce_if(taken)


class ExclusiveGuard(Rule):
    """Servers stay out of domains held by exclusive groups they are not in."""

    def __init__(self, level):
        self.level = level
        self.count_level = level
        self.label = f"exclusivity({level}) of other groups"

    def applies(self, item):
        return item.is_server

    def mask(self, state, item):
        if not state.holds_exclusive(self.level):
            return None
        held = state.exclusive[self.level].copy()
        for membership in item.groups:
            if membership.kind == GroupKind.EXCLUSIVITY and membership.level == self.level:
                held -= _group_servers(state, membership.key, self.level)
        return _open_domains(state, self.level, held)

    def count(self, compiled, mask, item):
        count, _ = super().count(compiled, mask, item)
        return count, PLURAL[self.level]
