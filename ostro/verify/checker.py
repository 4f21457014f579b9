"""An independent second opinion on a set of placements.

:func:`check` lists every rule of DESIGN §5 that a set of placements breaks
in a data centre: locations, capacity, zones, volume types, aggregate extra
specs, groups and pipe bandwidth.  It is written apart from
:mod:`ostro.constraints` and :mod:`ostro.search` on purpose and shares no
code with them, so that a mistake in the engine's rules is not repeated
here and a test that runs both catches it.

Each rule is one small function that reads a :class:`_Scene` (the
placements grouped by location, computed once) and yields
:class:`Violation` objects.  Nothing here is O(n²): placements are grouped
by location and by topology domain before any rule looks at them.
"""

import collections
import dataclasses
import functools
from collections.abc import Mapping

from ostro.config import EngineSettings
from ostro.model.datacenter import LEVELS
from ostro.model.topology import GroupKind
from ostro.verify.extra_specs import spec_matches

#: Slack for float comparisons of capacity and bandwidth sums.
EPSILON = 1e-6

#: Which kind of location each kind of resource must sit on.
_LOCATION_KIND = {"server": "host", "volume": "backend"}

#: Host dimensions a server uses, in the order of ``Server.demand``.
_HOST_DIMENSIONS = ("vcpus", "memory_mb", "disk_gb")

#: The only extra-spec scope the aggregate rule reads (Nova's convention).
_AGGREGATE_SCOPE = "aggregate_instance_extra_specs"

#: Flavor extra specs Valet reads itself and the aggregate rule skips.
_VALET_KEYS = frozenset({"valet"})


@dataclasses.dataclass(frozen=True)
class Violation:
    """One broken rule.  ``resource`` and ``group`` are names, ``location``
    the host, backend or (for bandwidth) domain the violation is about;
    ``pipes`` the names of the pipes a bandwidth violation is about;
    ``soft``: the rule is a soft group's, which a plan may leave unmet."""

    rule: str
    resource: str | None
    group: str | None
    location: str | None
    message: str
    pipes: tuple = ()
    soft: bool = False

    def __str__(self):
        return self.message


def check(datacenter, placements, groups=(), pipes=(), settings=None):
    """Every violation of the placements in ``datacenter``; ``[]`` if none.

    ``groups`` holds :class:`~ostro.model.placement.GroupMembers` objects (a
    mapping key -> rule, as ``group_rules`` returns, is accepted too) and
    ``pipes`` :class:`~ostro.model.topology.Pipe` objects.
    """
    if isinstance(groups, Mapping):
        groups = groups.values()
    scene = _Scene(datacenter, list(placements), settings or EngineSettings())
    violations = []
    for rule in (_locations, _host_capacity, _backend_capacity, _zones, _volume_types,
                 _aggregate_extra_specs):
        violations.extend(rule(scene))
    for group in groups:
        violations.extend(_group(scene, group))
    violations.extend(_bandwidth(scene, pipes))
    return violations


class _Scene:
    """The placements and the data centre, indexed once for every rule."""

    def __init__(self, datacenter, placements, settings):
        self.datacenter = datacenter
        self.placements = placements
        self.settings = settings
        # NOTE: placements at unknown locations are left out here; the
        # location rule reports them and no other rule can judge them.
        found = ((p, datacenter.location(p.location)) for p in placements)
        self.located = [(p, location) for p, location in found if location is not None]
        self.by_id = {p.orch_id: (p, loc) for p, loc in self.located}

    def on(self, resource_kind):
        """(placement, location) of ``resource_kind`` on the kind of location
        it belongs on; misplaced ones are the location rule's business."""
        return [(p, loc) for p, loc in self.located if p.resource.kind == resource_kind
                and loc.kind == _LOCATION_KIND[resource_kind]]

    def by_location(self, resource_kind):
        grouped = collections.defaultdict(list)
        for placement, location in self.on(resource_kind):
            grouped[location.name].append(placement)
        return grouped

    @functools.cached_property
    def servers_in(self):
        """(level, domain) -> placements of servers on hosts in that domain."""
        index = collections.defaultdict(list)
        for placement, host in self.on("server"):
            for level in LEVELS:
                index[level, host.domain(level)].append(placement)
        return index

    @functools.cached_property
    def foreign_hosts_in(self):
        """(level, domain) -> hosts carrying load Valet did not place."""
        index = collections.defaultdict(list)
        for host in self.datacenter.hosts.values():
            if host.has_foreign_load:
                for level in LEVELS:
                    index[level, host.domain(level)].append(host)
        return index


# --- where things are -------------------------------------------------------------

def _locations(scene):
    """Every placement is on an existing, enabled location of the right kind."""
    for placement in scene.placements:
        location = scene.datacenter.location(placement.location)
        expected = _LOCATION_KIND[placement.resource.kind]
        problem = None
        if location is None:
            problem = f"location {placement.location} does not exist"
        elif location.kind != expected:
            problem = f"must be on a {expected} but {location.name} is a {location.kind}"
        elif not location.enabled:
            problem = f"{location.kind} {location.name} is disabled"
        if problem:
            yield Violation("location", placement.name, None, placement.location,
                            f"{placement.resource.kind} {placement.name}: {problem}")


def _zones(scene):
    """A resource asking for an availability zone sits in it."""
    for placement, location in scene.located:
        wanted = placement.resource.availability_zone
        if not _zone_allows(wanted, location):
            yield Violation(
                "availability_zone", placement.name, None, location.name,
                f"{placement.name} asks for availability zone {wanted!r} but "
                f"{location.name} is in zone {location.availability_zone!r}")


def _zone_allows(wanted, location):
    """Nova's forms: "zone", "zone:host", ":host", "zone:" and "zone:host:node".

    An empty part means "any".  NOTE: the model has one node per host, so a
    node part must name the host too.
    """
    if not wanted:
        return True
    zone, _, rest = wanted.partition(":")
    host, _, node = rest.partition(":")
    if zone and zone != location.availability_zone:
        return False
    return all(not part or part == location.name for part in (host, node))


def _volume_types(scene):
    """A typed volume sits on a backend serving that type (an untyped
    backend, one with no volume_types, serves any)."""
    for placement, backend in scene.on("volume"):
        wanted = placement.resource.volume_type
        if wanted and backend.volume_types and wanted not in backend.volume_types:
            yield Violation(
                "volume_type", placement.name, None, backend.name,
                f"{placement.name} needs volume type {wanted!r} but {backend.name} "
                f"serves {', '.join(backend.volume_types)}")


# --- capacity --------------------------------------------------------------------

def _host_capacity(scene):
    """Foreign load plus the servers on a host fit its usable capacity."""
    datacenter = scene.datacenter
    for name, placements in scene.by_location("server").items():
        host = datacenter.hosts[name]
        capacity = datacenter.capacity(host, scene.settings)
        for index, dimension in enumerate(_HOST_DIMENSIONS):
            start = host.used.get(dimension, 0)
            demands = [(p.name, p.resource.demand[index]) for p in placements]
            yield from _overflow(name, f"host {name}", dimension, start, demands,
                                 capacity[index])


def _backend_capacity(scene):
    """Used space plus the volumes on a backend fit its capacity."""
    for name, placements in scene.by_location("volume").items():
        backend = scene.datacenter.backends[name]
        demands = [(p.name, p.resource.size_gb) for p in placements]
        yield from _overflow(name, f"backend {name}", "volume_gb", backend.used_gb, demands,
                             backend.capacity_gb)


def _overflow(location, subject, dimension, start, demands, capacity):
    """At most one violation: it names the first resource, in the order
    given, after which the running total exceeds ``capacity``."""
    total, first_over = start, None
    for resource, amount in demands:
        total += amount
        if first_over is None and total > capacity + EPSILON:
            first_over = resource
    if first_over is not None:
        yield Violation("capacity", first_over, None, location,
                        f"{subject} {dimension}: {_amount(total)} used > "
                        f"{_amount(capacity)} capacity "
                        f"({first_over} does not fit)")


def _amount(number):
    """A number as an operator writes it: 1048576 or 2.5, never 1.04858e+06."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


# --- aggregate extra specs (Nova's AggregateInstanceExtraSpecsFilter) ------------

def _aggregate_extra_specs(scene):
    """Every extra spec a server's flavor asks of aggregates is met by one
    of the values its host's aggregates hold for that key."""
    metadata_of = {}
    for placement, host in scene.on("server"):
        if host.name not in metadata_of:
            metadata_of[host.name] = scene.datacenter.aggregate_metadata(host)
        metadata = metadata_of[host.name]
        for key, requirement in _aggregate_requirements(placement.resource.extra_specs):
            values = metadata.get(key, set())
            if any(spec_matches(value, requirement) for value in values):
                continue
            held = f"holds {sorted(values)}" if values else "has no such metadata"
            yield Violation(
                "aggregate_extra_specs", placement.name, None, host.name,
                f"{placement.name} needs aggregate {key} {requirement!r} but "
                f"host {host.name} {held}")


def _aggregate_requirements(extra_specs):
    """(key, requirement) pairs the aggregate rule applies: unscoped keys
    and keys of its own scope; other scopes belong to other filters."""
    for raw_key, requirement in extra_specs.items():
        scope, colon, key = raw_key.partition(":")
        if not colon:
            key = raw_key
            if key in _VALET_KEYS:
                continue
        elif scope != _AGGREGATE_SCOPE:
            continue
        yield key, str(requirement)


# --- groups ----------------------------------------------------------------------

def _group(scene, group):
    """The violations of one group rule, over its members that are placed."""
    checks = {GroupKind.AFFINITY: _affinity, GroupKind.DIVERSITY: _diversity,
              GroupKind.EXCLUSIVITY: _exclusivity}
    if group.kind not in checks:
        raise ValueError(f"group {group.name}: unknown kind {group.kind!r}")
    members = []  # (placement, location, domain at the group's level)
    for orch_id in group.units:
        if orch_id in scene.by_id:
            placement, location = scene.by_id[orch_id]
            members.append((placement, location, location.domain(group.level)))
    return checks[group.kind](scene, group, members)


def _group_violation(group, placement, location, detail):
    return Violation(group.kind, placement.name, group.name, location,
                     f"{group.label} of group {group.name}: {detail}", soft=group.soft)


def _affinity(scene, group, members):
    """All members share one domain; one with no domain at the level breaks it."""
    anchor = next(((p, d) for p, _, d in members if d is not None), None)
    for placement, location, domain in members:
        if domain is None:
            yield _group_violation(group, placement, location.name,
                                   f"{placement.name} on {location.name} has no {group.level}")
        elif domain != anchor[1]:
            yield _group_violation(
                group, placement, location.name,
                f"{anchor[0].name} is in {group.level} {anchor[1]} but {placement.name} "
                f"is in {group.level} {domain}")


def _diversity(scene, group, members):
    """No domain holds more than ``max_per_domain`` units (1 unless the group
    says otherwise).  Leaves of one nested unit count once; members with no
    domain at the level (a shared backend) never clash."""
    limit = group.max_per_domain
    first_of_unit = collections.defaultdict(dict)  # domain -> unit -> first placement
    for placement, location, domain in members:
        if domain is None:
            continue
        seen = first_of_unit[domain]
        unit = group.units[placement.orch_id]
        # NOTE: a unit is reported once per domain, against the first units there.
        if len(seen) >= limit and unit not in seen:
            others = list(seen.values())
            if limit == 1:
                detail = f"{others[0].name} and {placement.name} share {group.level} {domain}"
            else:
                names = ", ".join(other.name for other in others)
                detail = (f"{placement.name} joins {names} in {group.level} {domain}: more "
                          f"than max_per_domain {limit} members")
            yield _group_violation(group, placement, location.name, detail)
        seen.setdefault(unit, placement)


def _exclusivity(scene, group, members):
    """Domains used by members hold no server outside the group and no
    host with foreign load.  Volumes are never outside occupants."""
    domains = {}
    for placement, _, domain in members:
        if domain is not None:
            domains.setdefault(domain, placement)
    for domain, member in domains.items():
        key = (group.level, domain)
        for outsider in scene.servers_in.get(key, ()):
            if outsider.orch_id not in group.units:
                yield _group_violation(
                    group, member, outsider.location,
                    f"{group.level} {domain} of {member.name} also holds {outsider.name}")
        for host in scene.foreign_hosts_in.get(key, ()):
            yield _group_violation(
                group, member, host.name,
                f"{group.level} {domain} of {member.name} has foreign load on host "
                f"{host.name}")


# --- pipes -----------------------------------------------------------------------

def _bandwidth(scene, pipes):
    """Pipes crossing a domain's boundary fit in that domain's uplink."""
    load = collections.defaultdict(float)  # (level, domain) -> Mbps
    users = collections.defaultdict(list)  # (level, domain) -> pipe names
    for pipe, key in _pipe_crossings(scene, pipes):
        load[key] += pipe.bandwidth
        users[key].append(pipe.name)
    for (level, domain), needed in load.items():
        uplink = scene.datacenter.uplink(level, domain)
        if needed > uplink + EPSILON:
            yield Violation(
                "bandwidth", None, None, domain,
                f"{level} {domain} uplink: {_amount(needed)} Mbps needed > "
                f"{_amount(uplink)} Mbps "
                f"(pipes {', '.join(users[level, domain])})",
                pipes=tuple(users[level, domain]))


def _pipe_crossings(scene, pipes):
    """(pipe, (level, domain)) for every uplink a pipe passes through: at
    each level where its ends are not in one domain, both ends' domains."""
    for pipe in pipes:
        ends = [scene.by_id.get(orch_id) for orch_id in pipe.ends]
        if None in ends:
            continue  # NOTE: an unplaced end uses no uplink yet.
        (_, first), (_, second) = ends
        for level in LEVELS:
            domains = (first.domain(level), second.domain(level))
            if domains[0] == domains[1]:
                continue  # same domain, or neither end has one: no uplink here
            for domain in domains:
                if domain is not None:
                    yield pipe, (level, domain)
