"""The plan's request and response schema (DESIGN §4).

Plan bodies carry Heat's ``resources`` (any JSON under each orchestration
id), which WSME types cannot describe, so they are checked here by hand;
every problem is a 400 that names the field.
"""

import dataclasses

from valet_api import errors, hot, inputs

ACTIONS = ("update", "migrate")


def allow_only(body, fields):
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise errors.BadRequest(f"unknown field(s): {', '.join(unknown)}")


def required(body, field):
    if body.get(field) is None:
        raise errors.BadRequest(f"field {field} is required")
    return body[field]


def text(body, field, default=None, mandatory=False, where=None):
    """A name or an id (at most :data:`valet_api.inputs.MAX_NAME_LENGTH`
    characters); ``where`` names the field if ``body`` is not the request's."""
    where = where or field
    value = required(body, field) if mandatory else body.get(field, default)
    if value is not None and not isinstance(value, str):
        raise errors.BadRequest(f"field {where} must be a string")
    if mandatory and not value:
        raise errors.BadRequest(f"field {where} must not be empty")
    return value if value is None else inputs.check_name(value, where)


def texts(body, field, default=None, mandatory=False):
    """A list of strings (hosts, ids); ``null`` is the field left out."""
    value = required(body, field) if mandatory else body.get(field)
    if value is None:
        # NOTE: a null is the default too, not None (a null fallback_ids or
        # excluded_hosts was a 500 in the engine).
        return default
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise errors.BadRequest(f"field {field} must be a list of non-empty strings")
    for number, item in enumerate(value):
        inputs.check_name(item, f"{field}[{number}]")
    return value


def resources(body, field="resources"):
    """Heat's ``{orch_id: {type, name, properties, ...}}``."""
    value = required(body, field)
    if not isinstance(value, dict):
        raise errors.BadRequest(f"field {field} must be an object of orchestration id "
                                "-> resource")
    for orch_id, entry in value.items():
        if not isinstance(entry, dict):
            raise errors.BadRequest(f"field {field}: resource {orch_id} must be an object")
        inputs.check_name(orch_id, f"{field}: orchestration id '{inputs.shown(orch_id)}'")
        heat_entry(entry, f"{field}.{inputs.shown(orch_id)}")
    return value


def heat_entry(entry, where):
    """What the store keeps of one Heat resource as names and ids: its
    ``name`` and ``resource_id`` (strings, if given)."""
    for field in ("name", "resource_id"):
        text(entry, field, where=f"{where}.{field}")


@dataclasses.dataclass
class NewPlan:
    """``POST /v1/plans``."""

    name: str | None
    stack_id: str
    resources: dict
    locations: list | None
    project_id: str | None = None

    dry_run: bool = False

    @classmethod
    def parse(cls, body):
        allow_only(body, ("plan_name", "stack_id", "resources", "locations", "timeout",
                          "project_id", "dry_run", "template", "parameters", "environment"))
        _timeout(body)
        dry_run = body.get("dry_run", False)
        if not isinstance(dry_run, bool):
            raise errors.BadRequest("field dry_run must be true or false")
        return cls(name=text(body, "plan_name"),
                   # NOTE: a dry run stores nothing a stack id would name.
                   stack_id=text(body, "stack_id", mandatory=not dry_run),
                   resources=planned_resources(body),
                   locations=texts(body, "locations"),
                   project_id=text(body, "project_id"), dry_run=dry_run)


def _timeout(body):
    """``timeout`` is accepted for compatibility and ignored: the search has
    its own budget ([engine] solver_time_budget)."""
    timeout = body.get("timeout")
    if timeout is not None and (isinstance(timeout, bool)
                                or not isinstance(timeout, (int, float, str))):
        raise errors.BadRequest("field timeout must be a number or a string")


def planned_resources(body):
    """``resources``, or those a HOT ``template`` declares (with its
    ``parameters`` and ``environment``, :mod:`valet_api.hot`): one of the two."""
    if "template" not in body:
        for field in ("parameters", "environment"):
            if field in body:
                raise errors.BadRequest(f"field {field} goes with field template")
        return resources(body)
    if "resources" in body:
        raise errors.BadRequest("fields resources and template exclude each other: "
                                "give one")
    template = required(body, "template")
    if not isinstance(template, (str, dict)):
        raise errors.BadRequest("field template must be a HOT template: text or an object")
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise errors.BadRequest("field parameters must be an object of name -> value")
    environment = body.get("environment")
    if environment is not None and not isinstance(environment, (str, dict)):
        raise errors.BadRequest("field environment must be text or an object")
    return resources({"template": hot.resources(template, parameters, environment,
                                                body.get("stack_id"))}, "template")


@dataclasses.dataclass
class PlanChange:
    """``PUT /v1/plans/{id}``: ``update`` (new resources) or ``migrate``
    (one resource off its host and ``excluded_hosts``)."""

    action: str
    resources: dict | None = None
    resource: str | None = None
    excluded_hosts: list = dataclasses.field(default_factory=list)

    @classmethod
    def parse(cls, body):
        action = text(body, "action", mandatory=True)
        if action == "update":
            # NOTE: timeout and plan_name, which the original API accepted and
            # ignored, are accepted and ignored (a plan keeps its name).
            allow_only(body, ("action", "resources", "original_resources", "timeout",
                              "plan_name"))
            text(body, "plan_name")
            _timeout(body)
            if body.get("original_resources") is not None:
                resources(body, "original_resources")
            return cls(action, resources=resources(body))
        if action == "migrate":
            allow_only(body, ("action", "resources", "excluded_hosts"))
            named = texts(body, "resources", mandatory=True)
            if len(named) != 1:
                raise errors.BadRequest("field resources must name exactly one orchestration "
                                        "id or resource id to migrate")
            return cls(action, resource=named[0],
                       excluded_hosts=texts(body, "excluded_hosts", default=[]))
        raise errors.BadRequest(f"field action must be one of {', '.join(ACTIONS)}, "
                                f"not {action!r}")
