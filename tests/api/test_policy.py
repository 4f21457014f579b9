"""The policy defaults, with contexts built as auth_token would build them
(Keystone's implied roles spelled out), and the policy hook in noauth mode."""

import pytest
from oslo_config import cfg
from oslo_context import context

from tests.api import engine_cases
from tests.api.api_cases import assert_error, call
from valet_api import access, policy
from valet_api.controllers import base

#: Keystone tokens carry implied roles: admin => member => reader.
ROLES = {"admin": ["admin", "member", "reader"], "member": ["member", "reader"],
         "reader": ["reader"], "service": ["service"]}
PROJECT_A, PROJECT_B = "project-a", "project-b"


def ctx(role, project=PROJECT_A):
    return context.RequestContext(user_id=f"{role}-user", project_id=project,
                                  roles=ROLES[role])


@pytest.fixture(scope="module")
def enforcer():
    conf = cfg.ConfigOpts()
    conf([], project="valet", default_config_files=[])
    return policy.make_enforcer(conf)


def allowed(enforcer, rule, who, target_project=PROJECT_A):
    return policy.allows(enforcer, rule, {"project_id": target_project}, who)


# (rule, who may, who may not); the target is project A's.
CASES = [
    ("valet:groups:create", ["admin"], ["member", "reader", "service"]),
    ("valet:groups:update", ["admin"], ["member", "service"]),
    ("valet:groups:delete", ["admin"], ["member", "service"]),
    ("valet:groups:members:update", ["admin"], ["member", "service"]),
    ("valet:groups:members:delete", ["admin"], ["member", "reader"]),
    ("valet:groups:list", ["admin", "member", "reader", "service"], []),
    ("valet:groups:show", ["admin", "member", "reader", "service"], []),
    ("valet:groups:members:list", ["admin"], ["member", "reader", "service"]),
    ("valet:groups:members:show", ["admin", "member", "reader"], ["service"]),
    ("valet:plans:create", ["admin", "member", "service"], ["reader"]),
    ("valet:plans:show", ["admin", "member", "reader", "service"], []),
    ("valet:plans:update", ["admin", "member", "service"], ["reader"]),
    ("valet:plans:delete", ["admin", "member", "service"], ["reader"]),
    ("valet:plans:list:all", ["admin", "service"], ["member", "reader"]),
    ("valet:placements:reserve", ["admin", "service"], ["member", "reader"]),
    ("valet:placements:delete", ["admin", "service"], ["member", "reader"]),
    ("valet:placements:list", ["admin", "member", "reader", "service"], []),
    ("valet:placements:show", ["admin", "member", "reader", "service"], []),
    ("valet:placements:location:show", ["admin", "service"], ["member", "reader"]),
    ("valet:hosts:list", ["admin", "service"], ["member", "reader"]),
    ("valet:hosts:show", ["admin", "service"], ["member", "reader"]),
    ("valet:resources:list", ["admin", "service"], ["member", "reader"]),
    ("valet:status:show", ["admin", "member", "reader", "service"], []),
]


@pytest.mark.parametrize(("rule", "yes", "no"), CASES, ids=[case[0] for case in CASES])
def test_rule_defaults(enforcer, rule, yes, no):
    for role in yes:
        assert allowed(enforcer, rule, ctx(role)), f"{role} should be allowed {rule}"
    for role in no:
        assert not allowed(enforcer, rule, ctx(role)), f"{role} should be refused {rule}"


@pytest.mark.parametrize("rule", ["valet:plans:show", "valet:plans:update",
                                  "valet:plans:delete", "valet:placements:show",
                                  "valet:placements:list"])
def test_another_projects_plan_is_out_of_reach(enforcer, rule):
    assert not allowed(enforcer, rule, ctx("member", PROJECT_B))
    assert allowed(enforcer, rule, ctx("admin", PROJECT_B))
    assert allowed(enforcer, rule, ctx("service", PROJECT_B))


def test_a_user_without_roles_reads_nothing(enforcer):
    nobody = context.RequestContext(project_id=PROJECT_A, roles=[])
    for rule in ("valet:groups:list", "valet:plans:list", "valet:status:show"):
        assert not allowed(enforcer, rule, nobody)


def test_a_system_scoped_token_is_refused_even_for_an_admin(enforcer):
    # NOTE: every rule is scope_types=["project"]: a plan belongs to a project.
    system_admin = context.RequestContext(system_scope="all", roles=ROLES["admin"])
    with pytest.raises(policy.Denied, match="valet:groups:create"):
        policy.authorize(enforcer, "valet:groups:create", {}, system_admin)


def resource_classes():
    """Every URI class of the API (subclasses of base.Resource)."""
    found, todo = set(), [base.Resource]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_handler_has_a_registered_rule(enforcer):
    # NOTE: a new handler without a rule would be refused at run time;
    # this catches it (and a rule name with a typo) first.
    for resource in resource_classes():
        for verb in base.VERBS:
            if hasattr(resource, verb):
                assert (resource, verb) in access.RULES, f"{resource.__name__}.{verb}"
    for entry in access.RULES.values():
        assert entry.rule is None or entry.rule in enforcer.registered_rules


# -- the hook in noauth mode, with a policy file overriding defaults ---------

@pytest.fixture
def restricted_api(tmp_path, empty_url, inventory):
    """noauth, but a policy file forbids group creation and every project's plan list."""
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"valet:groups:create": "!"\n"valet:plans:list:all": "!"\n')
    conf = engine_cases.engine_conf(empty_url, inventory)
    conf.set_override("policy_file", str(policy_file), "oslo_policy")
    with engine_cases.engine_api(empty_url, inventory, conf=conf) as client:
        yield client


def test_policy_file_override_refuses_with_403_naming_the_rule(restricted_api):
    response = call(restricted_api, "POST", "/v1/groups",
                    {"name": "web", "type": "diversity", "level": "host"})
    body = assert_error(response, 403, "valet:groups:create")
    assert body["error"]["type"] == "Forbidden"
    assert call(restricted_api, "GET", "/v1/groups", status=200).json == {"groups": []}


def plan_as(api, project, stack_id):
    body = engine_cases.plan_body(stack_id, engine_cases.server(f"web-{stack_id}"))
    response = api.post_json("/v1/plans", body, headers={"X-Project-Id": project})
    assert response.status_int == 201, response.text
    return response.json["plan"]


def test_plan_list_shows_only_the_callers_project_without_list_all(restricted_api):
    plan_a = plan_as(restricted_api, PROJECT_A, "stack-a")
    plan_b = plan_as(restricted_api, PROJECT_B, "stack-b")
    shown = restricted_api.get("/v1/plans", headers={"X-Project-Id": PROJECT_A}).json
    assert [plan["id"] for plan in shown["plans"]] == [plan_a["id"]]
    shown = restricted_api.get("/v1/plans", headers={"X-Project-Id": PROJECT_B}).json
    assert [plan["id"] for plan in shown["plans"]] == [plan_b["id"]]


def test_noauth_acts_as_admin_and_lists_every_project(engine_api):
    plan_as(engine_api, PROJECT_A, "stack-a")
    plan_as(engine_api, PROJECT_B, "stack-b")
    assert len(engine_api.get("/v1/plans").json["plans"]) == 2
    response = call(engine_api, "POST", "/v1/groups",
                    {"name": "web", "type": "diversity", "level": "host",
                     "members": ["no-such-project"]}, status=201)
    # NOTE: noauth checks no member project against Keystone.
    assert response.json["members"] == ["no-such-project"]
