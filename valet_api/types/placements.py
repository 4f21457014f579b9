"""The placement's request schema and query filters (DESIGN §4); the
response is :func:`ostro.views.placement`."""

import dataclasses

from valet_api import errors, inputs
from valet_api.types.plans import allow_only, heat_entry, text, texts

ACTIONS = ("reserve", "replan")
#: The most alternates a reserve answers (Nova asks for max_attempts - 1).
MAX_ALTERNATES = 20
#: The most instances of one Nova multi-create request planned ad hoc.
MAX_REQUEST_COUNT = 1000

#: Query fields of ``GET /v1/placements`` that match a placement's own fields.
FILTERS = ("id", "orchestration_id", "plan_id", "resource_id", "location", "name",
           "reserved")

def _flag(field, value):
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise errors.BadRequest(f"filter {field} must be true or false, not {value!r}")


def matcher(query):
    """A predicate over shown placements from the query's ``field=value``
    pairs (all must match; a key that is not a field matches ``metadata``)."""
    wanted = {}
    for field, value in query.items():
        wanted[field] = _flag(field, value) if field == "reserved" else value

    def matches(shown):
        for field, value in wanted.items():
            if field in FILTERS:
                have = shown[field]
                if field != "reserved":
                    have = "" if have is None else str(have)
                if have != value:
                    return False
            elif str(shown["metadata"].get(field)) != value or \
                    field not in shown["metadata"]:
                return False
        return True

    return matches


@dataclasses.dataclass
class PlacementAction:
    """``POST /v1/placements/{id}``: ``reserve`` (keep the planned host if
    it is in ``locations``, else re-plan within them) or ``replan``.

    A reserve may also name ``fallback_ids`` (other ids of the same
    resource, tried in order when the URI's id names no placement) and an
    ``adhoc`` server to plan when none does (``{"resource": Heat entry,
    "name"?, "project_id"?}``, planned within ``locations`` as a one-server
    plan whose stack id and orchestration id are ``resource_id``): Nova's
    filter then places a server booted without Heat in one call.  With
    ``count`` and ``request_id`` the ad hoc plan is a multi-create request's
    (``count`` servers, stack id ``request_id``), and each instance reserves
    its next server.  ``alternates`` (a reserve's) asks for up to that many
    other hosts the server could take instead (Nova's alternates);
    ``flavor`` is the one Nova schedules it with (another one: a resize);
    ``hints`` the boot's scheduler hints, which find a planned placement
    with those hints (its ``metadata``) when no id names one.
    """

    action: str
    locations: list
    resource_id: str | None
    fallback_ids: list = dataclasses.field(default_factory=list)
    adhoc: dict | None = None
    alternates: int = 0
    flavor: str | None = None
    hints: dict | None = None

    @classmethod
    def parse(cls, body):
        allow_only(body, ("action", "locations", "resource_id", "fallback_ids", "adhoc",
                          "alternates", "flavor", "hints"))
        # NOTE: the original Valet API took a POST without action as a
        # reserve, and clients written for it still send one.
        action = text(body, "action") or "reserve"
        if action not in ACTIONS:
            raise errors.BadRequest(f"field action must be one of {', '.join(ACTIONS)}, "
                                    f"not {action!r}")
        locations = texts(body, "locations", mandatory=True)
        if not locations:
            raise errors.BadRequest("field locations must name at least one host")
        resource_id = text(body, "resource_id")
        fallback_ids = texts(body, "fallback_ids", default=[])
        adhoc = _adhoc(body.get("adhoc"), resource_id)
        alternates = _bounded(body, "alternates", 0, MAX_ALTERNATES, default=0)
        flavor = text(body, "flavor")
        hints = _hints(body.get("hints"))
        if (fallback_ids or adhoc or alternates or flavor or hints) and action != "reserve":
            raise errors.BadRequest("fields fallback_ids, adhoc, alternates, flavor and hints "
                                    "are for action reserve")
        return cls(action, locations, resource_id, fallback_ids, adhoc, alternates, flavor,
                   hints)


def _hints(value):
    """The boot's scheduler hints: names to strings or lists of strings."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.BadRequest("field hints must be an object")
    for key, hint in value.items():
        for item in hint if isinstance(hint, list) else [hint]:
            if not isinstance(item, str):
                raise errors.BadRequest(f"field hints.{key} must be a string or a list of "
                                        "strings")
            inputs.check_name(item, f"hints.{key}")
    return value


def _bounded(body, field, low, high, default, where=None):
    """An integer field within ``[low, high]``."""
    value = body.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise errors.BadRequest(f"field {where or field} must be an integer from {low} "
                                f"to {high}, not {value!r}")
    return value


def _adhoc(value, resource_id):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.BadRequest("field adhoc must be an object")
    allow_only(value, ("resource", "name", "project_id", "count", "request_id"))
    if not resource_id:
        raise errors.BadRequest("field adhoc needs resource_id (the server's id)")
    resource = value.get("resource")
    if not isinstance(resource, dict):
        raise errors.BadRequest("field adhoc.resource must be an object (a Heat resource)")
    heat_entry(resource, "adhoc.resource")
    for field in ("name", "project_id", "request_id"):
        text(value, field, where=f"adhoc.{field}")
    count = _bounded(value, "count", 1, MAX_REQUEST_COUNT, default=1, where="adhoc.count")
    return {"resource": resource, "name": value.get("name"),
            "project_id": value.get("project_id"), "count": count,
            "request_id": value.get("request_id")}
