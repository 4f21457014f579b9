"""The named group's schema (DESIGN §4): ``{id, name, type, level,
description, members}``, plus ``max_per_domain`` (diversity's limit, beyond
the original API; 1 when left out) and ``enforcement`` (hard or soft; hard
when left out)."""

from wsme import types as wtypes

from ostro.model.datacenter import LEVELS
from ostro.model.topology import GROUP_KINDS
from ostro.state.groups import NAME_PATTERN
from valet_api.inputs import MAX_NAME_LENGTH

Name = wtypes.StringType(min_length=1, max_length=MAX_NAME_LENGTH,
                         pattern=rf"\A{NAME_PATTERN.pattern}\Z")
#: A member project's id.
ProjectId = wtypes.StringType(max_length=MAX_NAME_LENGTH)
Kind = wtypes.Enum(str, *GROUP_KINDS)
Level = wtypes.Enum(str, *LEVELS)


class Group(wtypes.Base):
    """A named group as the API shows it."""

    id = wtypes.text
    name = Name
    type = Kind
    level = Level
    description = wtypes.text
    members = [wtypes.text]
    max_per_domain = int
    enforcement = wtypes.text

    @classmethod
    def from_model(cls, group):
        """From an :class:`ostro.model.topology.NamedGroup`."""
        return cls(id=group.id, name=group.name, type=group.kind, level=group.level,
                   description=group.description, members=list(group.members),
                   max_per_domain=group.max_per_domain,
                   enforcement=str(group.enforcement))


class NewGroup(wtypes.Base):
    """``POST /v1/groups``."""

    name = wtypes.wsattr(Name, mandatory=True)
    type = wtypes.wsattr(Kind, mandatory=True)
    level = wtypes.wsattr(Level, mandatory=True)
    description = wtypes.text
    members = [ProjectId]
    #: The store says why a value is refused (diversity only, >= 1).
    max_per_domain = int
    #: hard or soft; the store says why another value is refused.
    enforcement = wtypes.text


class GroupChange(wtypes.Base):
    """``PUT /v1/groups/{id}``: the description alone may change; the other
    fields may be sent only with their current values."""

    description = wtypes.wsattr(wtypes.text, mandatory=True)
    name = Name
    type = Kind
    level = Level
    max_per_domain = int
    enforcement = wtypes.text

    def immutable_changes(self, group):
        """The fields this change would alter but may not."""
        current = Group.from_model(group)
        fields = ("name", "type", "level", "max_per_domain", "enforcement")
        return [field for field in fields
                if getattr(self, field) not in (wtypes.Unset, getattr(current, field))]


class Members(wtypes.Base):
    """``PUT /v1/groups/{id}/members``: project ids to add."""

    members = wtypes.wsattr([ProjectId], mandatory=True)
