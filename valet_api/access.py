"""Which policy rule each handler needs, as data, and the hook that checks it.

:data:`RULES` maps ``(resource class, verb)`` to an :class:`Access`: the
rule (:mod:`valet_api.policy`), the target it is checked on, and whether
the body's member projects must exist (:mod:`valet_api.projects`).  The
:class:`PolicyHook` runs after routing and before the handler, so a refused
request changes nothing.  A handler missing from the table is refused (the
tests check that every handler is listed).
"""

import dataclasses
import json
from collections.abc import Callable

from pecan import hooks

from valet_api import auth, errors, policy
from valet_api.controllers import root, v1
from valet_api.controllers.v1 import groups, hosts, openapi, placements, plans, resources, status


def caller_project(request, resource):
    """The target of most rules: the caller's own project."""
    return {"project_id": request.context.project_id}


def uri_project(request, resource):
    """The target of a membership question: the project the URI names."""
    return {"project_id": resource.project_id}


#: A project id no project has: a rule that allows it allows every project.
ANY_PROJECT = "*any project*"


def owner_scope(request, rule):
    """``None`` when ``rule`` lets the caller act on any project's plans and
    placements, else the caller's project (the engine then answers another
    project's as missing: NotOwner is a NotFound); a 403 when the rule
    allows not even that."""
    if policy.allows(request.enforcer, rule, {"project_id": ANY_PROJECT}, request.context):
        return None
    project_id = request.context.project_id
    if project_id is None:
        raise errors.Forbidden(f"policy {rule} does not allow this request")
    policy.require(request, rule, {"project_id": project_id})
    return project_id


@dataclasses.dataclass(frozen=True)
class Access:
    rule: str | None                      # None: no rule (the version documents)
    target: Callable = caller_project
    check_members: bool = False           # the body's "members" must be real projects
    # NOTE: the target is the owner of the plan or placement the URI names
    # (or of each listed), checked inside the engine's one call
    # (:mod:`ostro.operations`) rather than by asking for the owner first;
    # the hook decides the caller's scope (owner_scope).
    owner_scoped: bool = False


PUBLIC = Access(None)

RULES = {
    (root.Root, "get"): PUBLIC,
    (v1.V1, "get"): PUBLIC,
    (openapi.OpenAPI, "get"): PUBLIC,
    (status.Status, "get"): Access("valet:status:show"),
    (status.Status, "head"): Access("valet:status:show"),
    (groups.Groups, "get"): Access("valet:groups:list"),
    (groups.Groups, "post"): Access("valet:groups:create", check_members=True),
    (groups.Group, "get"): Access("valet:groups:show"),
    (groups.Group, "put"): Access("valet:groups:update"),
    (groups.Group, "delete"): Access("valet:groups:delete"),
    (groups.Members, "put"): Access("valet:groups:members:update", check_members=True),
    (groups.Members, "delete"): Access("valet:groups:members:delete"),
    (groups.Member, "get"): Access("valet:groups:members:show", target=uri_project),
    (groups.Member, "delete"): Access("valet:groups:members:delete"),
    (plans.Plans, "get"): Access("valet:plans:list"),
    (plans.Plans, "post"): Access("valet:plans:create"),
    (plans.Plan, "get"): Access("valet:plans:show", owner_scoped=True),
    (plans.Plan, "put"): Access("valet:plans:update", owner_scoped=True),
    (plans.Plan, "delete"): Access("valet:plans:delete", owner_scoped=True),
    (placements.Placements, "get"): Access("valet:placements:list", owner_scoped=True),
    (placements.Placement, "get"): Access("valet:placements:show", owner_scoped=True),
    (placements.Placement, "post"): Access("valet:placements:reserve"),
    (placements.Placement, "delete"): Access("valet:placements:delete"),
    (resources.Resources, "get"): Access("valet:resources:list"),
    (hosts.Hosts, "get"): Access("valet:hosts:list"),
    (hosts.Host, "get"): Access("valet:hosts:show"),
}


def access_of(handler):
    """The :class:`Access` of a bound handler; ``OPTIONS`` needs no rule."""
    resource, verb = getattr(handler, "__self__", None), getattr(handler, "__name__", "")
    if verb == "options":
        return PUBLIC
    found = RULES.get((type(resource), verb))
    if found is None:
        raise errors.Forbidden(f"no policy rule covers {type(resource).__name__}.{verb}")
    return found


def body_members(request):
    """The body's ``members`` if it is a list of strings; anything else is
    left to the handler's own validation, which names the problem."""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return []
    members = body.get("members") if isinstance(body, dict) else None
    if isinstance(members, list) and all(isinstance(m, str) for m in members):
        return members
    return []


class PolicyHook(hooks.PecanHook):
    """Puts ``context`` (oslo.context) and ``enforcer`` on the request, then
    refuses (403 naming the rule) what the handler's rule does not allow."""

    def __init__(self, conf, enforcer, projects):
        self.strategy = conf.api.auth_strategy
        self.enforcer, self.projects = enforcer, projects

    def on_route(self, state):
        environ = state.request.environ
        # NOTE: the pipeline's CurrentContext made it (and made it current,
        # for the log); a bare pecan app, outside the pipeline, makes its own.
        state.request.context = environ.get(auth.CONTEXT_KEY) or \
            auth.context_of(environ, self.strategy)
        state.request.enforcer = self.enforcer

    def before(self, state):
        request = state.request
        access = access_of(state.controller)
        if access.owner_scoped:
            request.owner_scope = owner_scope(request, access.rule)
        elif access.rule is not None:
            target = access.target(request, state.controller.__self__)
            try:
                policy.authorize(self.enforcer, access.rule, target, request.context)
            except policy.Denied as exc:
                raise errors.Forbidden(exc.reason) from exc
        if access.check_members:
            self.projects.require(body_members(request))

