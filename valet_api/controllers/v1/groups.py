"""``/v1/groups``: named groups (DESIGN §4).

URIs: ``/v1/groups``, ``/v1/groups/{id or name}``,
``/v1/groups/{id}/members`` and ``/v1/groups/{id}/members/{project}``.
Each handler validates the body (WSME types), makes one store call and
serializes what the store returned; the store raises the typed errors that
:mod:`valet_api.errors` turns into statuses.
"""

import pecan
from wsme import types as wtypes

from valet_api import errors, visibility
from valet_api.controllers import base
from valet_api.types import base as types
from valet_api.types import groups as group_types


def show(group):
    """A :class:`~ostro.model.topology.NamedGroup` as the bare JSON group
    (without ``members`` unless valet:groups:members:list allows it)."""
    shown = types.dump(group_types.Group, group_types.Group.from_model(group))
    return visibility.shower(pecan.request, "group")(shown)


def given(value, default):
    """A parsed field's value, or ``default`` when the request left it out."""
    return default if value is wtypes.Unset else value


class Groups(base.Resource):
    """``/v1/groups``: list and create."""

    def child(self, segment):
        return Group(segment)

    @pecan.expose("json")
    def get(self):
        return {"groups": [show(group) for group in pecan.request.store.list_groups()]}

    @pecan.expose("json")
    def post(self):
        new = types.parse(group_types.NewGroup, base.json_body())
        group = pecan.request.store.create_group(
            new.name, new.type, new.level, description=given(new.description, ""),
            members=given(new.members, []),
            max_per_domain=given(new.max_per_domain, None),
            enforcement=given(new.enforcement, None))
        base.created()
        return show(group)


class Group(base.Resource):
    """``/v1/groups/{id or name}``: show, change the description, delete."""

    def __init__(self, id_or_name):
        self.id_or_name = id_or_name

    def child(self, segment):
        return Members(self.id_or_name) if segment == "members" else None

    @pecan.expose("json")
    def get(self):
        return {"group": show(pecan.request.store.get_group(self.id_or_name))}

    @pecan.expose("json")
    def put(self):
        change = types.parse(group_types.GroupChange, base.json_body())
        store = pecan.request.store
        # NOTE: reading first only to refuse a change of an immutable field;
        # the write below is the one store call that changes anything.
        frozen = change.immutable_changes(store.get_group(self.id_or_name))
        if frozen:
            raise errors.BadRequest(f"field(s) {', '.join(frozen)} cannot be changed; "
                                    "create a new group instead")
        group = store.update_group_description(self.id_or_name, change.description)
        base.created()
        return show(group)

    @pecan.expose(content_type="application/json")
    def delete(self):
        pecan.request.store.delete_group(self.id_or_name)
        return base.no_content()


class Members(base.Resource):
    """``/v1/groups/{id}/members``: add member projects, or remove them all."""

    def __init__(self, id_or_name):
        self.id_or_name = id_or_name

    def child(self, segment):
        return Member(self.id_or_name, segment)

    @pecan.expose("json")
    def put(self):
        members = types.parse(group_types.Members, base.json_body())
        group = pecan.request.store.add_group_members(self.id_or_name, members.members)
        base.created()
        return show(group)

    @pecan.expose(content_type="application/json")
    def delete(self):
        pecan.request.store.set_group_members(self.id_or_name, [])
        return base.no_content()


class Member(base.Resource):
    """``/v1/groups/{id}/members/{project}``: is it a member; remove it."""

    def __init__(self, id_or_name, project_id):
        self.id_or_name, self.project_id = id_or_name, project_id

    @pecan.expose(content_type="application/json")
    def get(self):
        group = pecan.request.store.get_group(self.id_or_name)
        if self.project_id not in group.members:
            raise errors.NoSuchResource(
                f"project {self.project_id} is not a member of group {group.name}")
        return base.no_content()

    @pecan.expose(content_type="application/json")
    def delete(self):
        pecan.request.store.remove_group_member(self.id_or_name, self.project_id)
        return base.no_content()
