"""A committed plan read against today's data centre and named groups.

The engine's memory is rebuilt from the store (DESIGN §6), and that must
never depend on today's groups, members or flavors still accepting
yesterday's plans: an admin may delete a group whose servers expired, close
an open group, or drop a flavor.  :func:`parse` therefore never refuses.
It reads the plan as :func:`ostro.parse.resources.parse` does, but:

* a named group that is gone is left out (its rule no longer exists);
* membership is not checked (a committed placement keeps its groups);
* a flavor that is gone gives its servers no size (nothing says what it was);
* a plan that no longer reads at all (a recreated group contradicting it,
  stricter validation) is read resource by resource, without its in-stack
  groups and pipes, and a resource that still does not read is an empty one.

Each relaxation is a :class:`Stale` note on the resource it concerns, which
``GET /v1/resources`` reports; the plan's next update decides (it parses
strictly, so it re-places or refuses by name).
"""

import enum
import typing

from ostro.errors import OstroError
from ostro.model.datacenter import Flavor
from ostro.model.topology import GroupKind, NamedGroup, Server, Stack, Volume
from ostro.parse import resources as parser


class StaleReason(enum.StrEnum):
    """Why a committed resource no longer satisfies today's rules."""

    GROUP_GONE = "group gone"
    NOT_A_MEMBER = "not a member"
    FLAVOR_GONE = "flavor gone"
    UNREADABLE = "plan unreadable"


class Stale(typing.NamedTuple):
    """One relaxation :func:`parse` made for the resource ``orch_id``."""

    orch_id: str
    reason: StaleReason
    detail: str


class Recorded(typing.NamedTuple):
    """What :func:`parse` read: the stack and its :class:`Stale` notes."""

    stack: Stack
    stale: tuple


def parse(resources, datacenter, named_groups, project_id=None, placed=()):
    """A :class:`Recorded` for a committed plan's ``resources``; every orch
    id in ``placed`` (the plan's placements) has a resource in its stack."""
    flavors, groups = _Flavors(datacenter), _Groups(named_groups)
    stale = []
    try:
        stack = parser.parse(resources, flavors, groups, None)
    except OstroError as exc:
        stack = _one_by_one(resources, flavors, groups, exc, stale)
    for key in groups.ghosts:
        ghost = stack.groups.pop(key, None)
        for orch_id in ghost.members if ghost else ():
            stale.append(Stale(orch_id, StaleReason.GROUP_GONE,
                               f"group {ghost.name!r} is gone"))
    for server in stack.servers():
        if server.flavor in flavors.gone:
            stale.append(Stale(server.orch_id, StaleReason.FLAVOR_GONE,
                               f"flavor {server.flavor!r} is gone"))
    stale.extend(_non_members(stack, named_groups, project_id))
    for orch_id in placed:
        if orch_id not in stack.resources:
            stack.resources[orch_id] = _empty(orch_id, {})
            stale.append(Stale(orch_id, StaleReason.UNREADABLE, "its plan no longer lists it"))
    return Recorded(stack, tuple(stale))


def _one_by_one(resources, flavors, groups, error, stale):
    """The plan's servers and volumes read alone (``error``: why the whole
    plan does not read); one that still does not read is empty."""
    stack = Stack()
    entries = resources.items() if isinstance(resources, dict) else ()
    for orch_id, entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind not in parser.SERVER_TYPES + parser.VOLUME_TYPES:
            continue
        try:
            alone = parser.parse({orch_id: entry}, flavors, groups, None)
            stack.resources.update(alone.resources)
            stack.groups.update(alone.groups)
        except OstroError:
            stack.resources[orch_id] = _empty(orch_id, entry)
        stale.append(Stale(orch_id, StaleReason.UNREADABLE,
                           f"its plan no longer reads: {error.message}"))
    return stack


def _empty(orch_id, entry):
    """A resource of no size: what a placement whose entry no longer reads holds."""
    name = str(entry.get("name") or orch_id)
    if entry.get("type") in parser.VOLUME_TYPES:
        return Volume(orch_id=orch_id, name=name, size_gb=0)
    return Server(orch_id=orch_id, name=name, vcpus=0, memory_mb=0, disk_gb=0)


def _non_members(stack, named_groups, project_id):
    if project_id is None:
        return []
    stale = []
    for group in stack.groups.values():
        named = named_groups.get(group.name) if group.named else None
        if named is not None and named.members and project_id not in named.members:
            stale.extend(Stale(orch_id, StaleReason.NOT_A_MEMBER,
                               f"project {project_id} is not a member of group {named.name}")
                         for orch_id in group.members)
    return stale


class _Flavors:
    """The data centre, where a flavor that is gone reads as one of no size."""

    def __init__(self, datacenter):
        self._datacenter = datacenter
        self.gone = set()

    def __getattr__(self, name):
        return getattr(self._datacenter, name)

    def find_flavor(self, name_or_id):
        flavor = self._datacenter.find_flavor(name_or_id)
        if flavor is None:
            self.gone.add(name_or_id)
            flavor = Flavor(name=str(name_or_id), vcpus=0, ram=0, disk=0)
        return flavor


class _Groups:
    """The named groups, where one that is gone reads as a *ghost*: a group
    that joins its servers for the parse and is then taken out.  A ghost is
    exclusivity, the one kind no contradiction or nesting check looks at."""

    def __init__(self, named_groups):
        self._named = named_groups
        self.ghosts = set()

    def get(self, reference, default=None):
        group = self._named.get(reference)
        if group is None:
            group = NamedGroup(name=str(reference), kind=GroupKind.EXCLUSIVITY, level="host")
            self.ghosts.add(group.key)
        return group
