"""Named groups in the ``groups`` table, as
:class:`~ostro.model.topology.NamedGroup` objects.

Functions here take a connection already inside a transaction;
:class:`ostro.state.store.Store` opens it (and moves the generation on for
every change, since plans depend on groups).
"""

import re
import uuid

from sqlalchemy import delete, insert, or_, select, update

from ostro.errors import Duplicate, InUse, InvalidInput, NotFound
from ostro.model import topology
from ostro.model.datacenter import LEVELS
from ostro.model.topology import GROUP_KINDS, NamedGroup
from ostro.state import models

GROUPS = models.Group.__table__
PLACEMENTS = models.Placement.__table__
PLANS = models.Plan.__table__

#: Group names as the API accepts them (DESIGN §4): URL-safe characters only.
NAME_PATTERN = re.compile(r"[A-Za-z0-9\-._~]+")


def create(connection, name, kind, level, description="", members=(), stamp=None,
           max_per_domain=None, enforcement=None):
    _check_fields(name, kind, level)
    try:
        limit = topology.max_per_domain(kind, max_per_domain)
        strictness = topology.enforcement(kind, enforcement)
    except ValueError as exc:
        raise InvalidInput(f"group {name}: {exc}") from exc
    if _find(connection, name) is not None:
        raise Duplicate(f"a group named {name!r} already exists")
    group_id = str(uuid.uuid4())
    connection.execute(insert(GROUPS).values(
        id=group_id, name=name, type=kind, level=level, description=description or "",
        members=_unique(members), max_per_domain=limit, enforcement=strictness.value,
        created_at=stamp,
        updated_at=stamp))
    return get(connection, group_id)


def get(connection, id_or_name):
    row = _find(connection, id_or_name)
    if row is None:
        raise NotFound(f"no group {id_or_name}")
    return _group(row)


def all_groups(connection):
    return [_group(row) for row in connection.execute(select(GROUPS).order_by(GROUPS.c.name))]


def change(connection, id_or_name, stamp, description=None, members=None):
    """Set the description and/or the member list (``None`` leaves it)."""
    group = get(connection, id_or_name)
    values = {"updated_at": stamp}
    if description is not None:
        values["description"] = description
    if members is not None:
        values["members"] = _unique(members)
        _refuse_if_excluded(connection, group, values["members"])
    connection.execute(update(GROUPS).where(GROUPS.c.id == group.id).values(**values))
    return get(connection, group.id)


def remove(connection, id_or_name):
    """Delete a group; refused while projects are members (DESIGN §4)."""
    group = get(connection, id_or_name)
    if group.members:
        raise InUse(f"group {group.name} still has member projects "
                    f"{', '.join(group.members)}; remove them first")
    _refuse_if_used(connection, group)
    connection.execute(delete(GROUPS).where(GROUPS.c.id == group.id))


def remove_member(connection, id_or_name, project_id, stamp):
    """Remove one member project; refused while that project has placed
    resources in the group (DESIGN §4)."""
    group = get(connection, id_or_name)
    if project_id not in group.members:
        raise NotFound(f"project {project_id} is not a member of group {group.name}")
    _refuse_if_used(connection, group, project_id)
    return change(connection, group.id, stamp,
                  members=[m for m in group.members if m != project_id])


def _refuse_if_used(connection, group, project_id=None):
    """InUse if placed resources (of ``project_id``'s plans, if given) are in ``group``."""
    query = select(PLACEMENTS.c.orchestration_id, PLACEMENTS.c.named_groups)
    if project_id is not None:
        query = query.join(PLANS, PLANS.c.id == PLACEMENTS.c.plan_id).where(
            PLANS.c.project_id == project_id)
    # NOTE: JSON containment differs between databases; groups change rarely,
    # so the rows are filtered here.
    users = sorted(row.orchestration_id for row in connection.execute(query)
                   if group.name in (row.named_groups or ()))
    if users:
        whose = f" of project {project_id}" if project_id else ""
        raise InUse(f"group {group.name} is used by {len(users)} placed resource(s){whose} "
                    f"({', '.join(users[:5])}); delete or update their plans first")


def _refuse_if_excluded(connection, group, members):
    """InUse if the member list ``members`` would leave out a project whose
    plans have placed resources in ``group`` (say, an open group closed).

    NOTE: refused up front rather than accepted, so a plan never holds
    servers in a group its project may no longer use (issue 11 §1,
    doc/decisions.md "Never wedge").
    """
    if not members:
        return      # open: every project may use it
    query = (select(PLANS.c.project_id, PLANS.c.id, PLACEMENTS.c.named_groups)
             .join(PLANS, PLANS.c.id == PLACEMENTS.c.plan_id)
             .where(PLANS.c.project_id.is_not(None), PLANS.c.project_id.not_in(members)))
    plans = {}
    for row in connection.execute(query):
        if group.name in (row.named_groups or ()):
            plans.setdefault(row.project_id, set()).add(row.id)
    if plans:
        users = "; ".join(f"project {project} (plans {', '.join(sorted(ids)[:5])})"
                          for project, ids in sorted(plans.items()))
        raise InUse(f"group {group.name} is used by placed resources of projects that would "
                    f"not be members: {users}; add them as members too, or delete or "
                    "update their plans first")


def _find(connection, id_or_name):
    query = select(GROUPS).where(or_(GROUPS.c.id == id_or_name, GROUPS.c.name == id_or_name))
    # NOTE: an id wins over a name that happens to look like another group's id.
    rows = sorted(connection.execute(query), key=lambda row: row.id != id_or_name)
    return rows[0] if rows else None


def _group(row):
    return NamedGroup(name=row.name, kind=row.type, level=row.level, id=row.id,
                      description=row.description or "", members=tuple(row.members or ()),
                      max_per_domain=row.max_per_domain or topology.DEFAULT_MAX_PER_DOMAIN,
                      enforcement=row.enforcement or topology.Enforcement.HARD)


def _check_fields(name, kind, level):
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(f"group name {name!r}: use letters, digits and - . _ ~ only")
    if kind not in GROUP_KINDS:
        raise InvalidInput(f"group {name}: type must be one of {', '.join(GROUP_KINDS)}")
    if level not in LEVELS:
        raise InvalidInput(f"group {name}: level must be one of {', '.join(LEVELS)}")


def _unique(members):
    """Project ids in first-seen order, each once."""
    if isinstance(members, str):
        raise InvalidInput("group members must be a list of project ids")
    return list(dict.fromkeys(str(member) for member in members))
