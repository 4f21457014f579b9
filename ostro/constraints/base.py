"""What every rule offers the search.

A rule answers one question, like one of Nova's filters: ``mask(state,
item)`` says which locations could take ``item`` now.  The search computes
the rules whose answer does not depend on the state once per item (the
problem's list of them, :data:`ostro.search.problem.SHARED_STATIC_RULES`).
``constrain(exact)`` states the same rule over the whole stack in the exact
CP-SAT model (only the part that links resources together; the per-item part
is already in each item's candidate set).
"""

import numpy as np

PLURAL = {"host": "hosts", "rack": "racks", "cluster": "clusters"}


class Rule:
    #: Short name used in refusals, e.g. "capacity" or "diversity(rack)".
    label = "rule"
    #: A soft rule narrows an item's candidates only when something is left.
    soft = False
    #: Name of the group the rule enforces, if any.
    group = None
    #: Level whose domains a refusal counts (None: count locations).
    count_level = None

    def applies(self, item):
        return True

    def mask(self, state, item):
        raise NotImplementedError

    def constrain(self, exact):
        """Add the rule's cross-resource constraints to the exact model."""

    def fallback(self, state, item, mask):
        """A soft rule that ``mask`` (the hard rules' candidates) cannot
        keep: the part of ``mask`` that breaks it least (None: any)."""
        return None

    def count(self, compiled, mask, item):
        """How many candidates ``mask`` leaves, in the rule's own unit."""
        if self.count_level is None:
            unit = "hosts" if item.is_server else "backends"
            return int(mask.sum()), unit
        domains = compiled.domain[self.count_level][mask]
        return int(np.unique(domains[domains >= 0]).size), PLURAL[self.count_level]

    def detail(self, state, item):
        """Extra words for a refusal (e.g. what the item needs)."""
        return None


class GroupRule(Rule):
    """A rule over one group; the level is data (a key into the topology)."""

    kind = None

    def __init__(self, group, members=()):
        self.rule = group
        self.key = group.key
        self.level = group.level
        self.group = group.name
        self.count_level = group.level
        self.label = f"{self.kind}({self.level})"
        self.members = set(group.units)
        self.soft = group.soft

    def applies(self, item):
        return item.orch_id in self.members

    def unit_of(self, item):
        return self.rule.units[item.orch_id]


def best_domains(compiled, level, mask, value):
    """The part of ``mask`` in the domains of ``level`` where ``value(domain)``
    is least (locations with no domain at the level are left out)."""
    domains = np.unique(compiled.domain[level][mask])
    domains = domains[domains >= 0]
    if not domains.size:
        return None
    scores = [value(int(domain)) for domain in domains]
    least = min(scores)
    chosen = [int(d) for d, score in zip(domains, scores, strict=True) if score == least]
    return mask & domain_mask(compiled, level, chosen)


def domain_mask(compiled, level, domains, size=None):
    """Locations whose domain at ``level`` is one of ``domains``."""
    size = compiled.domain_count(level) if size is None else size
    selected = np.zeros(size + 1, dtype=bool)   # the extra slot is "no domain"
    selected[list(domains)] = True
    selected[-1] = False
    return selected[compiled.domain[level]]
