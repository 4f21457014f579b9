"""The application topology: what one stack asks for.

Servers and volumes are *resources* (things that get a location).  Groups
hold resources or other groups; pipes join two resources.  The search sees
groups through their *leaves* (the resources they finally contain) and, for
diversity, their *units* (a direct member: a resource, or a nested group that
counts as one).
"""

import dataclasses
import enum


class GroupKind(enum.StrEnum):
    """What a group's rule asks of its members at the group's level (its
    value is the spelling of Heat templates, the API and the database)."""

    AFFINITY = "affinity"
    DIVERSITY = "diversity"
    EXCLUSIVITY = "exclusivity"


#: The spellings a template or request may use.
GROUP_KINDS = tuple(GroupKind)

#: The members (units) a diversity group allows per domain unless told.
DEFAULT_MAX_PER_DOMAIN = 1


def max_per_domain(kind, value):
    """The per-domain limit a group of ``kind`` asks for (``value`` as
    written, None when absent); ValueError with the reason when it is not a
    whole number >= 1 or the kind is not diversity (the limit means nothing
    to affinity or exclusivity, so a request giving it is a mistake)."""
    if value is None:
        return DEFAULT_MAX_PER_DOMAIN
    if GroupKind(kind) != GroupKind.DIVERSITY:
        raise ValueError(f"max_per_domain applies only to diversity groups, not {kind}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_per_domain must be a whole number >= 1, got {value!r}")
    return value


class Enforcement(enum.StrEnum):
    """How strictly a group's rule holds (its value is the spelling of
    templates, the API and the database)."""

    HARD = "hard"    # a plan that cannot keep it is refused
    SOFT = "soft"    # kept when possible; a plan that cannot says so


#: Group kinds a soft rule may be given to (Nova's soft-(anti-)affinity;
#: a "soft" exclusivity would promise a domain to no one).
SOFT_KINDS = (GroupKind.AFFINITY, GroupKind.DIVERSITY)


def enforcement(kind, value):
    """The :class:`Enforcement` a group of ``kind`` asks for (``value`` as
    written, None when absent: hard); ValueError with the reason otherwise."""
    if value is None:
        return Enforcement.HARD
    if value not in tuple(Enforcement):
        raise ValueError(f"enforcement must be one of {', '.join(Enforcement)}, got {value!r}")
    if value == Enforcement.SOFT and GroupKind(kind) not in SOFT_KINDS:
        raise ValueError(f"enforcement soft applies only to "
                         f"{' and '.join(SOFT_KINDS)} groups, not {kind}")
    return Enforcement(value)


@dataclasses.dataclass(slots=True)
class Server:
    orch_id: str
    name: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    flavor: str = ""
    availability_zone: str | None = None
    extra_specs: dict = dataclasses.field(default_factory=dict)
    resource_id: str | None = None
    #: The server's scheduler hints (Heat's ``scheduler_hints``), shown as
    #: its placement's ``metadata``; None when it has none.
    hints: dict | None = None

    kind = "server"

    @property
    def demand(self):
        return (self.vcpus, self.memory_mb, self.disk_gb, 0)


@dataclasses.dataclass(slots=True)
class Volume:
    orch_id: str
    name: str
    size_gb: int
    volume_type: str | None = None
    availability_zone: str | None = None
    resource_id: str | None = None

    kind = "volume"

    @property
    def extra_specs(self):
        """None: flavor extra specs are a server's (a fresh dict each time,
        so no caller can change what every volume shares)."""
        return {}

    @property
    def demand(self):
        return (0, 0, 0, self.size_gb)


@dataclasses.dataclass
class Group:
    """A rule over its members.  ``key`` is unique among all groups the
    engine knows (named groups use their name; in-stack groups a key the
    parser or the service makes unique)."""

    key: str
    name: str
    kind: GroupKind
    level: str
    members: tuple = ()
    named: bool = False
    #: diversity: units allowed in one domain of the level.
    max_per_domain: int = DEFAULT_MAX_PER_DOMAIN
    enforcement: Enforcement = Enforcement.HARD

    def __post_init__(self):
        self.kind = GroupKind(self.kind)
        self.enforcement = Enforcement(self.enforcement)

    @property
    def label(self):
        return f"{self.kind}({self.level})"


@dataclasses.dataclass
class Pipe:
    orch_id: str
    name: str
    ends: tuple
    bandwidth: float
    max_bandwidth: float | None = None


@dataclasses.dataclass
class Stack:
    resources: dict = dataclasses.field(default_factory=dict)
    groups: dict = dataclasses.field(default_factory=dict)
    pipes: list = dataclasses.field(default_factory=list)

    def leaves(self, group_key):
        """Resource orch ids a group finally holds, through nesting."""
        found, pending, seen = [], [group_key], set()
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            for member in self.groups[key].members:
                if member in self.groups:
                    pending.append(member)
                elif member not in found:
                    found.append(member)
        return found

    def units(self, group_key):
        """Leaf -> the direct member of ``group_key`` it sits under."""
        mapping = {}
        for member in self.groups[group_key].members:
            inner = self.leaves(member) if member in self.groups else [member]
            for leaf in inner:
                mapping[leaf] = member
        return mapping

    def groups_of(self, orch_id):
        return [group for key, group in self.groups.items() if orch_id in self.leaves(key)]

    def servers(self):
        return [r for r in self.resources.values() if r.kind == "server"]

    def volumes(self):
        return [r for r in self.resources.values() if r.kind == "volume"]


@dataclasses.dataclass
class NamedGroup:
    """A group created through the API; it outlives any one stack.

    ``members`` are the project ids allowed to put servers in it (empty means
    any project may).
    """

    name: str
    kind: GroupKind
    level: str
    id: str | None = None
    description: str = ""
    members: tuple = ()
    max_per_domain: int = DEFAULT_MAX_PER_DOMAIN
    enforcement: Enforcement = Enforcement.HARD

    def __post_init__(self):
        self.kind = GroupKind(self.kind)
        self.enforcement = Enforcement(self.enforcement)

    @property
    def key(self):
        return named_group_key(self.name)


#: The key prefix that tells a named group's key from an in-stack group's.
_NAMED = "named:"


def named_group_key(name):
    """The engine-wide key of a named group (stable across plans and stacks)."""
    return f"{_NAMED}{name}"


def plan_group_key(plan_id, key):
    """The engine-wide key of an in-stack group: its key in the template
    (the parser's), made unique by its plan's id."""
    return f"{plan_id}/{key}"


def is_named_group_key(key):
    """Whether ``key`` is a named group's (:func:`named_group_key`)."""
    return key.startswith(_NAMED)
