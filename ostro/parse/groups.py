"""Group membership: resolve references, join named groups, and refuse
groups that can never hold together (bad nesting, contradictions)."""

from ostro.deadline import bound
from ostro.errors import TopologyError
from ostro.model.datacenter import level_rank
from ostro.model.topology import Enforcement, Group, GroupKind


def resolve(stack, raw_members, joins, named_groups, project_id, names=None, deadline=None):
    """Fill in group members and pipe ends of ``stack``, then validate it.

    ``raw_members``: group orch id -> references (names or orch ids);
    ``joins``: server orch id -> named groups it asks for (names or ids);
    ``names``: orch id -> Heat resource name, for references by name;
    ``deadline``: the operation's :class:`ostro.deadline.Deadline` (None: none).
    """
    deadline = bound(deadline)
    lookup = _lookup(stack, names or {})
    for key, references in raw_members.items():
        deadline.check("reading group members")
        group = stack.groups[key]
        members = []
        for reference in references:
            member = lookup.get(reference)
            if member is None:
                raise TopologyError(
                    f"group {group.name}: member {reference!r} is not a server, volume or "
                    f"group of this stack", resource=reference, groups=[group.name])
            if member == key:
                raise TopologyError(f"group {group.name} lists itself as a member",
                                    groups=[group.name])
            members.append(member)
        group.members = tuple(dict.fromkeys(members))
    for pipe in stack.pipes:
        ends = []
        for reference in pipe.ends:
            end = lookup.get(reference)
            if end is None or end not in stack.resources:
                raise TopologyError(f"pipe {pipe.name}: end {reference!r} is not a server or "
                                    f"volume of this stack", resource=pipe.name)
            ends.append(end)
        if ends[0] == ends[1]:
            raise TopologyError(f"pipe {pipe.name}: both ends are {reference}",
                                resource=pipe.name)
        pipe.ends = tuple(ends)
    _join_named_groups(stack, joins, named_groups, project_id)
    check_nesting(stack, deadline)
    check_contradictions(stack, deadline)


def _lookup(stack, names):
    lookup = {}
    for orch_id in list(stack.resources) + list(stack.groups):
        lookup[orch_id] = orch_id
    for orch_id, name in names.items():
        if orch_id in stack.resources or orch_id in stack.groups:
            lookup.setdefault(name, orch_id)
    for orch_id, resource in stack.resources.items():
        lookup.setdefault(resource.name, orch_id)
    return lookup


def _join_named_groups(stack, joins, named_groups, project_id):
    for orch_id, wanted in joins.items():
        server = stack.resources[orch_id]
        for reference in wanted:
            named = named_groups.get(reference)
            if named is None:
                raise TopologyError(f"server {server.name}: unknown group {reference!r}",
                                    resource=server.name, groups=[reference])
            if named.members and project_id is not None and project_id not in named.members:
                raise TopologyError(
                    f"server {server.name}: project {project_id} is not a member of "
                    f"group {named.name}", resource=server.name, groups=[named.name])
            group = stack.groups.get(named.key)
            if group is None:
                group = Group(key=named.key, name=named.name, kind=named.kind,
                              level=named.level, named=True,
                              max_per_domain=named.max_per_domain,
                              enforcement=named.enforcement)
                stack.groups[named.key] = group
            if orch_id not in group.members:
                group.members = group.members + (orch_id,)


def check_nesting(stack, deadline=None):
    """A nested group's level must not exceed its parent's; no cycles."""
    deadline = bound(deadline)
    for key, group in stack.groups.items():
        deadline.check("checking group nesting")
        for member in group.members:
            child = stack.groups.get(member)
            if child is not None and level_rank(child.level) > level_rank(group.level):
                raise TopologyError(
                    f"group {child.name} ({child.label}) is nested in group {group.name} "
                    f"({group.label}): a child's level must not exceed its parent's",
                    groups=[child.name, group.name])
        _check_acyclic(stack, key, deadline)


def _check_acyclic(stack, start, deadline):
    path, pending = [], [(start, 0)]
    while pending:
        deadline.check("checking group nesting")
        key, depth = pending.pop()
        del path[depth:]
        if key in path:
            names = [stack.groups[k].name for k in path + [key]]
            raise TopologyError(f"groups nest in a cycle: {' -> '.join(names)}", groups=names)
        path.append(key)
        pending.extend((m, depth + 1) for m in stack.groups[key].members if m in stack.groups)


def check_contradictions(stack, deadline=None):
    """Affinity at level A and diversity at level D >= A can never both hold
    when the affinity holds more units of the diversity than it allows in
    one domain (``max_per_domain``): sharing an A-domain means sharing the
    wider D-domain too.  A soft rule against another is no contradiction:
    it gives way, and the plan answer says so.

    Linear in the memberships: each affinity's leaves are looked up in an
    index of the diversities holding them, not compared with every group."""
    deadline = bound(deadline)
    hard = [g for g in stack.groups.values() if g.enforcement == Enforcement.HARD]
    units_of = {}       # leaf -> [(diversity, the leaf's unit in it)]
    for diversity in (g for g in hard if g.kind == GroupKind.DIVERSITY):
        for leaf, unit in stack.units(diversity.key).items():
            units_of.setdefault(leaf, []).append((diversity, unit))
    for affinity in (g for g in hard if g.kind == GroupKind.AFFINITY):
        deadline.check("checking groups for contradictions")
        seen = {}       # diversity key -> {unit: its first leaf in the affinity}
        for leaf in stack.leaves(affinity.key):
            for diversity, unit in units_of.get(leaf, ()):
                if level_rank(affinity.level) > level_rank(diversity.level):
                    continue
                first_of = seen.setdefault(diversity.key, {})
                first_of.setdefault(unit, leaf)
                if len(first_of) > diversity.max_per_domain:
                    clash = next(other for u, other in first_of.items() if u != unit)
                    first = stack.resources[clash].name
                    second = stack.resources[leaf].name
                    raise TopologyError(
                        f"groups {affinity.name} ({affinity.label}) and {diversity.name} "
                        f"({diversity.label}) contradict each other over {first} and {second}",
                        resource=second, groups=[affinity.name, diversity.name])
