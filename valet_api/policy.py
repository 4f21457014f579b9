"""Who may do what: Valet's oslo.policy rules, in code (DESIGN §7 ``[oslo_policy]``).

Every rule is a :class:`~oslo_policy.policy.DocumentedRuleDefault` named
``valet:<noun>:<action>``; ``list_rules()`` is the ``oslo.policy.policies``
entry point ``valet``, so ``oslopolicy-sample-generator --namespace valet``
writes ``etc/valet/policy.yaml.sample`` and a ``[oslo_policy] policy_file``
may override any default.

The defaults, in words:

* named groups and their members change only by an ``admin``;
* plans are the stacks of a project: created by a ``member`` (the plan then
  belongs to the caller's project), read by a ``reader`` of that project,
  changed or deleted by a ``member`` of it; ``admin`` and the ``service``
  role (Heat, Nova) may do all of it for any project;
* placements are reserved, re-planned and released by the ``service`` role
  (Nova's filter) or an ``admin``, and read, like plans, by a ``reader`` of
  the owning project;
* where things run is the cloud's, as in Nova (whose non-admins never see
  a server's host): hosts, the resources breaking their rules, the
  ``location`` of placements and the member projects of named groups are
  for ``admin`` (and the ``service`` role, but for group members);
* named groups and the status are read by any ``reader`` (Keystone tokens
  carry the implied roles: admin implies member implies reader) or the
  ``service`` role.

Targets are ``{"project_id": ...}``: the owning project for one plan or
placement, the project in the URI for a group membership, the caller's own
project otherwise.  A reader who may not act on every project sees only its
own project's plans and placements; another project's are missing (404),
not forbidden, so their ids tell nothing (:mod:`valet_api.access`).
"""

from oslo_config import cfg
from oslo_policy import policy

from valet_api import errors

ADMIN = "rule:admin"
SERVICE = "rule:service"

#: Named checks the rules below are built of; a policy file may redefine them.
BASE_RULES = [
    policy.RuleDefault("admin", "role:admin",
                       description="A cloud administrator."),
    policy.RuleDefault("service", "role:service",
                       description="An OpenStack service acting for a user (Heat, Nova)."),
    policy.RuleDefault("reader", "role:reader or rule:service",
                       description="Anyone who may read (reader, member and admin "
                                   "through Keystone's implied roles, or a service)."),
    policy.RuleDefault("project_reader", "role:reader and project_id:%(project_id)s",
                       description="A reader of the project that owns the target."),
    policy.RuleDefault("project_member", "role:member and project_id:%(project_id)s",
                       description="A member of the project that owns the target."),
]

ANY_READER = "rule:reader"
OWNER_READER = f"{ADMIN} or {SERVICE} or rule:project_reader"
# NOTE: the URI names the project: admin, or a reader asking about its own.
ADMIN_OR_PROJECT_READER = f"{ADMIN} or rule:project_reader"
OWNER_MEMBER = f"{ADMIN} or {SERVICE} or rule:project_member"
ADMIN_OR_SERVICE = f"{ADMIN} or {SERVICE}"

#: (name, check string, description, method, path) of every API rule.
API_RULES = [
    ("valet:status:show", ANY_READER, "Show whether the engine and database serve.",
     "GET", "/v1/status"),
    ("valet:groups:list", ANY_READER, "List named groups.", "GET", "/v1/groups"),
    ("valet:groups:show", ANY_READER, "Show a named group.", "GET", "/v1/groups/{group}"),
    ("valet:groups:create", ADMIN, "Create a named group.", "POST", "/v1/groups"),
    ("valet:groups:update", ADMIN, "Change a named group's description.",
     "PUT", "/v1/groups/{group}"),
    ("valet:groups:delete", ADMIN, "Delete a named group.", "DELETE", "/v1/groups/{group}"),
    ("valet:groups:members:list", ADMIN, "See a group's member projects (without it "
     "group answers leave `members` out).", "GET", "/v1/groups[/{group}]"),
    ("valet:groups:members:show", ADMIN_OR_PROJECT_READER, "Tell whether a project "
     "(the caller's own, unless admin) is a member.",
     "GET", "/v1/groups/{group}/members/{project}"),
    ("valet:groups:members:update", ADMIN, "Add member projects to a group.",
     "PUT", "/v1/groups/{group}/members"),
    ("valet:groups:members:delete", ADMIN, "Remove one member project, or all of them.",
     "DELETE", "/v1/groups/{group}/members[/{project}]"),
    ("valet:plans:list", ANY_READER, "List plans (only the caller's project's plans "
     "unless valet:plans:list:all allows every project's).", "GET", "/v1/plans"),
    ("valet:plans:list:all", ADMIN_OR_SERVICE, "See every project's plans in the list.",
     "GET", "/v1/plans"),
    ("valet:plans:create", OWNER_MEMBER, "Plan a stack; the plan belongs to the "
     "caller's project.", "POST", "/v1/plans"),
    ("valet:plans:create:on_behalf", ADMIN_OR_SERVICE, "Plan a stack for another "
     "project than the caller's (`project_id` in the body): Nova's filter planning a "
     "server booted without Heat for its instance's project.", "POST", "/v1/plans"),
    ("valet:plans:show", OWNER_READER, "Show a plan.", "GET", "/v1/plans/{plan}"),
    ("valet:plans:update", OWNER_MEMBER, "Update a plan's stack or migrate one of its "
     "servers.", "PUT", "/v1/plans/{plan}"),
    ("valet:plans:delete", OWNER_MEMBER, "Delete a plan and release its placements.",
     "DELETE", "/v1/plans/{plan}"),
    ("valet:placements:list", OWNER_READER, "List placements (only the caller's "
     "project's unless the rule allows every project).", "GET", "/v1/placements"),
    ("valet:placements:show", OWNER_READER, "Show a placement (another project's is "
     "a 404 unless the rule allows every project).", "GET", "/v1/placements/{placement}"),
    ("valet:placements:location:show", ADMIN_OR_SERVICE, "See where placements are "
     "(`location`: host or storage backend) in placement and plan answers; without "
     "it the field is left out, as Nova hides a server's host.",
     "GET", "/v1/placements[/{placement}], /v1/plans[/{plan}]"),
    ("valet:placements:reserve", ADMIN_OR_SERVICE, "Reserve a placement or re-plan it "
     "within the given hosts (Nova's filter).", "POST", "/v1/placements/{placement}"),
    ("valet:placements:delete", ADMIN_OR_SERVICE, "Release a placement.",
     "DELETE", "/v1/placements/{placement}"),
    ("valet:resources:list", ADMIN_OR_SERVICE, "List placed resources that break "
     "their rules (every project's).", "GET", "/v1/resources"),
    ("valet:hosts:list", ADMIN_OR_SERVICE, "List hosts with their usage.",
     "GET", "/v1/hosts"),
    ("valet:hosts:show", ADMIN_OR_SERVICE, "Show a host with its usage.",
     "GET", "/v1/hosts/{host}"),
]


class Denied(Exception):
    """A rule refused the request; ``rule`` names it."""

    def __init__(self, rule, reason):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def list_rules():
    """Every default rule (the ``oslo.policy.policies`` entry point)."""
    documented = [
        policy.DocumentedRuleDefault(
            name=name, check_str=check, description=description,
            operations=[{"method": method, "path": path}],
            # NOTE: every call acts inside one project (plans belong to one);
            # a system- or domain-scoped token has no project to act in.
            scope_types=["project"])
        for name, check, description, method, path in API_RULES]
    return BASE_RULES + documented


def make_enforcer(conf):
    """An enforcer over ``conf``'s ``[oslo_policy]`` options, the defaults registered."""
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(list_rules())
    return enforcer


def get_enforcer():
    """The ``oslo.policy.enforcer`` entry point (``oslopolicy-policy-generator``,
    ``oslopolicy-checker``): the configuration in valet's default files."""
    conf = cfg.ConfigOpts()
    conf([], project="valet")
    return make_enforcer(conf)


def authorize(enforcer, rule, target, context):
    """Return quietly if ``rule`` allows ``context`` on ``target``, else :class:`Denied`."""
    # NOTE: a token of the wrong scope (system, domain) is refused like a
    # missing role: authorize() without do_raise answers False for both.
    if not enforcer.authorize(rule, target, context):
        raise Denied(rule, f"policy {rule} does not allow this request")


def allows(enforcer, rule, target, context):
    """Whether ``rule`` allows ``context`` on ``target`` (no exception)."""
    try:
        authorize(enforcer, rule, target, context)
    except Denied:
        return False
    return True


def require(request, rule, target):
    """Return quietly if ``rule`` allows the pecan ``request`` on ``target``,
    else a 403 naming the rule (for checks a handler makes on its body)."""
    try:
        authorize(request.enforcer, rule, target, request.context)
    except Denied as exc:
        raise errors.Forbidden(exc.reason) from exc


def planned_for(request, project_id):
    """The project a new plan belongs to: the caller's, or ``project_id``
    when given and another (a 403 unless valet:plans:create:on_behalf allows
    it: Nova's filter planning for an instance's owner)."""
    if project_id is None or project_id == request.context.project_id:
        return request.context.project_id
    require(request, "valet:plans:create:on_behalf", {"project_id": project_id})
    return project_id


def request_allows(request, rule, target=None):
    """Whether ``rule`` allows the pecan ``request`` (its ``context`` and
    ``enforcer`` come from :class:`valet_api.access.PolicyHook`), on
    ``target`` or the caller's own project; for handlers that show less,
    rather than refuse, when it does not."""
    if target is None:
        target = {"project_id": request.context.project_id}
    return allows(request.enforcer, rule, target, request.context)
