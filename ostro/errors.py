"""Errors the engine raises.  Every error carries a reason a person can act on.

Callers map them to exit codes (``valet-sim``) or HTTP statuses (the API): an
:class:`InvalidInput` is the caller's mistake (400 / exit 1), a
:class:`NoPlacement` means the rules cannot all hold in this data centre
(409 / exit 2).
"""


class OstroError(Exception):
    """Base class of every engine error."""

    kind = "OstroError"

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def to_dict(self):
        return {"type": self.kind, "message": self.message}


class InvalidInput(OstroError):
    """The request itself is wrong: it can never be placed as written."""

    kind = "InvalidInput"


class InventoryError(InvalidInput):
    """The inventory file is wrong; the message names file, entry and key."""

    kind = "InventoryError"

    def __init__(self, source, entry, key, problem):
        where = f"{source}: {entry}"
        if key:
            where += f": {key}"
        super().__init__(f"{where}: {problem}")
        self.source, self.entry, self.key = source, entry, key


class TopologyError(InvalidInput):
    """A stack's resources are invalid (unknown flavor or group, clashes)."""

    kind = "TopologyError"

    def __init__(self, message, resource=None, groups=()):
        super().__init__(message)
        self.resource = resource
        self.groups = tuple(groups)


class LimitExceeded(InvalidInput):
    """The request is larger or heavier than an ``[engine]`` limit allows
    (the API answers 413); ``limit`` is the option's name."""

    kind = "LimitExceeded"

    def __init__(self, limit, message):
        super().__init__(message)
        self.limit = limit

    def to_dict(self):
        data = super().to_dict()
        data.update(limit=self.limit)
        return data


class NoPlacement(OstroError):
    """No placement satisfies every rule.

    ``rule`` is the rule that removed the last candidate (for example
    ``"diversity(rack)"``), ``group`` the group it belongs to (or ``None``),
    ``resource`` the resource that could not be placed, ``before`` and
    ``after`` the candidate counts around that rule and ``unit`` what was
    counted (hosts, racks, backends, ...).
    """

    kind = "NoPlacement"

    def __init__(self, rule, resource, before, after=0, unit="hosts", group=None,
                 detail=None):
        subject = f"{rule} of group {group}" if group else rule
        message = f"{subject} left {after} of {before} {unit} for {resource}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)
        self.rule, self.group, self.resource = rule, group, resource
        self.before, self.after, self.unit = before, after, unit
        #: What would make the stack fit, where the engine can tell
        #: (:mod:`ostro.search.advice`): sentences, possibly none.
        self.hints = []

    def to_dict(self):
        data = super().to_dict()
        data.update(rule=self.rule, group=self.group, resource=self.resource,
                    hints=list(self.hints))
        return data


class NotFound(OstroError):
    """A plan, placement or resource the caller named does not exist."""

    kind = "NotFound"


class NotOwner(NotFound):
    """The plan or placement belongs to another project than the one the
    caller acts in.  It is answered exactly as a missing one (the same
    type and message), so another project's ids tell a caller nothing."""

    kind = NotFound.kind


class Duplicate(InvalidInput):
    """Something with this unique name or id already exists."""

    kind = "Duplicate"


class InUse(OstroError):
    """The object is still used (a group with member projects) and stays."""

    kind = "InUse"


class Stale(OstroError):
    """A conditional change (``If-Match``) named a revision of the plan that
    is no longer its revision: someone changed it since it was read."""

    kind = "Stale"


class Unavailable(OstroError):
    """The engine cannot answer now (its inventory is unreadable, it does
    not answer in time); the same request may work later."""

    kind = "ServiceUnavailable"
