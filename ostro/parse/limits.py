"""Size limits of one plan (``[engine] max_resources_per_plan``,
``max_groups_per_plan``, ``max_group_nesting``), checked on the request
as it arrives, before any parsing and before the store's write lock.

The checks are linear in the request's size and read only its shape, so a
request too big to plan within the budget is refused at once, by the
limit's name, instead of holding the lock while the group checks and the
search grind through it.  Anything malformed is left to the parser, which
names the faulty resource; these checks never refuse what they cannot read.
"""

from ostro.errors import LimitExceeded, TopologyError
from ostro.parse import values
from ostro.parse.resources import ASSIGNMENT_TYPES, QOS_GROUP_TYPES, SERVER_TYPES, VOLUME_TYPES

GROUP_TYPES = ASSIGNMENT_TYPES + QOS_GROUP_TYPES
PLACED_TYPES = SERVER_TYPES + VOLUME_TYPES


def check(resources, settings):
    """Raise :class:`LimitExceeded` if ``resources`` (a plan's Heat
    resources) is over one of ``settings``' limits (0: no limit)."""
    if not isinstance(resources, dict):
        return
    entries = {orch: entry for orch, entry in resources.items() if isinstance(entry, dict)}
    placed = sum(1 for entry in entries.values() if entry.get("type") in PLACED_TYPES)
    _at_most(placed, settings.max_resources_per_plan, "max_resources_per_plan",
             "servers and volumes")
    groups = {orch: entry for orch, entry in entries.items()
              if entry.get("type") in GROUP_TYPES}
    _at_most(len(groups), settings.max_groups_per_plan, "max_groups_per_plan",
             "in-stack groups")
    if settings.max_group_nesting:
        deepest = nesting_depth(groups)
        _at_most(deepest, settings.max_group_nesting, "max_group_nesting",
                 "levels of groups nested in groups")


def _at_most(count, limit, option, what):
    if limit and count > limit:
        raise LimitExceeded(option, f"the plan has {count} {what}; [engine] {option} "
                                    f"allows {limit}")


def nesting_depth(groups):
    """The most groups on one path of nesting (1: no group holds a group)
    among ``groups`` (orch id -> Heat entry).  References go by orch id or
    name; a cycle ends a path (the parser refuses cycles by name)."""
    key_of = {}
    for orch, entry in groups.items():
        key_of[orch] = orch
        if isinstance(entry.get("name"), str):
            key_of.setdefault(entry["name"], orch)
    children = {orch: [key_of[ref] for ref in _references(entry) if ref in key_of]
                for orch, entry in groups.items()}
    depth = {}
    for start in groups:
        if start in depth:
            continue
        # NOTE: iterative post-order, so a chain of thousands of groups
        # neither recurses nor revisits: each group is measured once.
        stack, on_path = [(start, iter(children[start]))], {start}
        while stack:
            orch, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                depth[orch] = 1 + max((depth.get(c, 0) for c in children[orch]
                                       if c not in on_path), default=0)
                on_path.discard(orch)
                stack.pop()
            elif child not in depth and child not in on_path:
                on_path.add(child)
                stack.append((child, iter(children[child])))
    return max(depth.values(), default=0)


def _references(entry):
    properties = entry.get("properties")
    members = properties.get("resources") if isinstance(properties, dict) else None
    found = []
    for member in members if isinstance(members, list) else ():
        try:
            found.append(values.reference(member))
        except TopologyError:       # the parser names a bad member
            continue
    return found
