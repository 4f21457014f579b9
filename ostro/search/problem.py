"""One planning problem: the items to place, the rules that bind them and
each item's candidate locations.  Shared by the heuristic and the exact model.
"""

import numpy as np

from ostro.config import Objective
from ostro.constraints.affinity import Affinity, AffinityRoom
from ostro.constraints.aggregate_extra_specs import AggregateExtraSpecs
from ostro.constraints.availability_zone import AvailabilityZone
from ostro.constraints.bandwidth import Bandwidth
from ostro.constraints.capacity import Capacity
from ostro.constraints.diversity import Diversity
from ostro.constraints.exclusivity import ExclusiveGuard, Exclusivity
from ostro.constraints.location import LocationKind, Restriction
from ostro.constraints.storage import VolumeType
from ostro.errors import NoPlacement
from ostro.model.datacenter import LEVELS
from ostro.model.topology import GroupKind

#: Rules that depend only on an item's own properties, in refusal order.
SHARED_STATIC_RULES = (LocationKind(), AvailabilityZone(), AggregateExtraSpecs(), VolumeType())

#: Group kind -> rule class (kinds are data; adding one is one entry here).
GROUP_RULES = {GroupKind.AFFINITY: Affinity, GroupKind.DIVERSITY: Diversity,
               GroupKind.EXCLUSIVITY: Exclusivity}


class Problem:
    """``items``: orch id -> :class:`~ostro.search.items.Item` to place;
    ``group_rules``: key -> :class:`~ostro.model.placement.GroupMembers`;
    ``allowed`` / ``excluded``: orch id -> location names."""

    def __init__(self, compiled, items, group_rules, allowed=None, excluded=None,
                 objective=Objective.PACK):
        self.compiled = compiled
        self.items = items
        self.objective = objective
        restrictions = [Restriction(orch, names, True) for orch, names in (allowed or {}).items()]
        restrictions += [Restriction(orch, names, False)
                         for orch, names in (excluded or {}).items()]
        # NOTE: by item, since an update pins every kept server of a stack.
        self._restrictions = {}
        for rule in restrictions:
            self._restrictions.setdefault(rule.orch_id, []).append(rule)
        self.group_rules = [GROUP_RULES[rule.kind](rule, items)
                            for rule in group_rules.values()
                            if any(orch in items for orch in rule.units)]
        # NOTE: room is held only for hard affinity: a soft group's members
        # may go elsewhere, so they must not crowd others out of its domain.
        affinities = [rule for rule in self.group_rules
                      if rule.kind == GroupKind.AFFINITY and not rule.soft]
        self.soft_rules = [rule for rule in self.group_rules if rule.soft]
        general = [Capacity(), *(ExclusiveGuard(level) for level in LEVELS), Bandwidth(),
                   AffinityRoom(affinities, self.pinned())]
        self.dynamic_rules = [*general[:1], *self.group_rules, *general[1:]]
        self.host_mates = self._host_mates()
        self._static = {}
        self._applicable = self._rules_per_item(general)

    def _rules_per_item(self, general):
        """Item -> its dynamic rules in refusal order (capacity, its groups,
        then the rest), built from memberships rather than asking every
        group about every item."""
        applicable = {orch: [general[0]] for orch in self.items}
        for rule in self.group_rules:
            for orch in rule.members:
                if orch in applicable:
                    applicable[orch].append(rule)
        for orch, item in self.items.items():
            applicable[orch].extend(rule for rule in general[1:] if rule.applies(item))
        return applicable

    def _host_mates(self):
        """Item -> the other items of its affinity(host) groups."""
        mates = {orch: set() for orch in self.items}
        for rule in self.group_rules:
            if rule.kind == GroupKind.AFFINITY and rule.level == "host":
                members = [orch for orch in rule.members if orch in self.items]
                for orch in members:
                    mates[orch].update(m for m in members if m != orch)
        return mates

    def host_mates_bandwidth(self, state, item):
        """Pipe bandwidth of unplaced affinity(host) mates, bound for the same
        host as ``item`` (pipes among the mates and to ``item`` excluded)."""
        mates = {m for m in self.host_mates[item.orch_id] if m not in state.location_of}
        together = mates | {item.orch_id}
        return sum(end.bandwidth for mate in mates for end in self.items[mate].pipes
                   if end.peer not in together)

    def static_mask(self, state, item):
        mask = self._static.get(item.orch_id)
        if mask is None:
            if item.orch_id in self._restrictions:
                mask = self._combine(state, item, self._static_rules(item))
            else:
                # NOTE: items with the same kind, zone, specs and volume type
                # share one mask across requests (ad hoc calls repeat them).
                resource = item.resource
                key = ("static", item.kind, resource.availability_zone,
                       tuple(sorted(resource.extra_specs.items())),
                       getattr(resource, "volume_type", None))
                mask = self.compiled.cached_mask(
                    key, lambda: self._combine(state, item, SHARED_STATIC_RULES))
            self._static[item.orch_id] = mask
        return mask

    def pinned(self):
        """Items allowed exactly one location (kept servers on update/replan)."""
        return [orch for orch, rules in self._restrictions.items()
                if any(rule.allow and len(rule.names) == 1 for rule in rules)]

    def _static_rules(self, item):
        return [*SHARED_STATIC_RULES, *self._restrictions.get(item.orch_id, ())]

    def _combine(self, state, item, rules):
        mask = np.ones(self.compiled.size, dtype=bool)
        for rule in rules:
            if rule.applies(item):
                mask &= rule.mask(state, item)
        return mask

    def candidates(self, state, item, soft=True):
        """Mask of locations that could take ``item`` in ``state``: every
        hard rule's, then each soft rule's (in order) where it leaves any
        (``soft=False``: the hard rules' only)."""
        mask = self.static_mask(state, item)
        deferred = []
        for rule in self._applicable[item.orch_id]:
            if rule.soft and not soft:
                continue
            narrowed = rule.mask(state, item)
            if narrowed is None:
                continue
            if rule.soft:
                deferred.append((rule, narrowed))
            else:
                mask = mask & narrowed
        for rule, narrowed in deferred:
            kept = mask & narrowed
            if not kept.any():
                # NOTE: the rule cannot hold for this item: it is broken as
                # little as the rule knows how (Rule.fallback).
                kept = rule.fallback(state, item, mask)
            if kept is not None and kept.any():
                mask = kept
        return mask

    def refusal(self, state, item):
        """The :class:`NoPlacement` naming the rule that left ``item`` nowhere."""
        mask = np.ones(self.compiled.size, dtype=bool)
        rules = [r for r in self._static_rules(item) if r.applies(item)] + \
            self._applicable[item.orch_id]
        for rule in rules:
            narrowed = rule.mask(state, item)
            if narrowed is None:
                continue
            after = mask & narrowed
            if rule.soft and not after.any():
                continue
            if not after.any():
                before, unit = rule.count(self.compiled, mask, item)
                return NoPlacement(rule.label, item.name, before, 0, unit, group=rule.group,
                                   detail=rule.detail(state, item))
            mask = after
        return NoPlacement("search", item.name, int(mask.sum()), 0,
                           detail="no combination of choices satisfied every rule")
