"""Placements (a resource at a location) and the group rules over them.

These are the engine's inputs and outputs shared by the search, the service
and the independent checker :mod:`ostro.verify`.
"""

import dataclasses
import enum
import typing

from ostro.model.topology import (
    DEFAULT_MAX_PER_DOMAIN,
    Enforcement,
    GroupKind,
    is_named_group_key,
    plan_group_key,
)


class PlacementState(enum.StrEnum):
    """Lifecycle of a placement (DESIGN §6); the value is what the store and
    the API write."""

    PLANNED = "planned"      # the engine chose a location
    RESERVED = "reserved"    # Nova is booting it there
    ACTIVE = "active"        # Nova reports it running there


#: The states, in lifecycle order (the database's check constraint).
STATES = tuple(PlacementState)


class GroupRef(typing.NamedTuple):
    """A placement's membership in one group, as recorded on the placement."""

    key: str
    name: str
    kind: GroupKind
    level: str
    max_per_domain: int = DEFAULT_MAX_PER_DOMAIN
    enforcement: Enforcement = Enforcement.HARD


@dataclasses.dataclass(slots=True)
class Placement:
    """``resource`` (a :class:`~ostro.model.topology.Server` or ``Volume``)
    at ``location`` (a host or storage backend name)."""

    orch_id: str
    resource: object
    location: str
    plan_id: str | None = None
    state: PlacementState = PlacementState.PLANNED
    groups: tuple = ()            # GroupRef of every group it is a member of
    updated_at: float = 0.0
    entry: dict | None = None     # the Heat resource entry of an existing placement

    def __post_init__(self):
        self.state = PlacementState(self.state)

    @property
    def name(self):
        return self.resource.name


@dataclasses.dataclass
class GroupMembers:
    """A group as the rules see it: which resources it holds, and for
    diversity which *unit* (direct member) each resource belongs to.

    ``units`` maps orch id -> unit key; a plain member is its own unit, the
    leaves of a nested group share the nested group's key.
    """

    key: str
    name: str
    kind: GroupKind
    level: str
    units: dict = dataclasses.field(default_factory=dict)
    #: diversity: units allowed in one domain (1: the classic rule).
    max_per_domain: int = DEFAULT_MAX_PER_DOMAIN
    enforcement: Enforcement = Enforcement.HARD

    @classmethod
    def of(cls, ref):
        """The group a :class:`GroupRef` names, with no members yet."""
        return cls(ref.key, ref.name, ref.kind, ref.level, max_per_domain=ref.max_per_domain,
                   enforcement=ref.enforcement)

    @property
    def label(self):
        return f"{self.kind}({self.level})"

    @property
    def soft(self):
        return self.enforcement == Enforcement.SOFT

    @property
    def members(self):
        return list(self.units)


def group_rules(stack, existing=()):
    """:class:`GroupMembers` for every group of ``stack``, plus the members
    ``existing`` placements contribute to the same keys (named groups and,
    on update, the stack's own earlier placements)."""
    rules = {}
    for key, group in stack.groups.items():
        units = {}
        for leaf, unit in stack.units(key).items():
            units[leaf] = unit
        rules[key] = GroupMembers(key, group.name, group.kind, group.level, units,
                                  max_per_domain=group.max_per_domain,
                                  enforcement=group.enforcement)
    for placement in existing:
        for ref in placement.groups:
            rule = rules.setdefault(ref.key, GroupMembers.of(ref))
            rule.units.setdefault(placement.orch_id, placement.orch_id)
    return rules


def scoped_rules(plan_id, rules):
    """``rules`` (key -> :class:`GroupMembers`) keyed for plan ``plan_id``:
    in-stack groups get keys unique to their plan; named groups keep theirs."""
    scoped = {}
    for key, rule in rules.items():
        if not is_named_group_key(key):
            rule.key = plan_group_key(plan_id, key)
        scoped[rule.key] = rule
    return scoped


def memberships(rules, orch_id):
    """The :class:`GroupRef` of every group of ``rules`` that holds ``orch_id``."""
    return tuple(GroupRef(rule.key, rule.name, rule.kind, rule.level, rule.max_per_domain,
                          rule.enforcement)
                 for rule in rules.values() if orch_id in rule.units)
