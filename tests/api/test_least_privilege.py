"""Least privilege for reads (issue 11 §4), through the real app over HTTP.

noauth mode with a policy file that makes ``admin`` and ``service`` a
matter of the project (``X-Project-Id: ops`` is an admin, ``nova`` the
service, any other project a plain member), so one app serves every kind
of caller; tests/keystone/test_auth.py asks the same of real tokens.
"""

import contextlib
import uuid

import pytest

from ostro.state import migrate
from tests.api import conformance, engine_cases, rpc_cases
from tests.api.api_cases import assert_error
from valet_api import app as valet_app

ADMIN, SERVICE, PROJECT_A, PROJECT_B = "ops", "nova", "project-a", "project-b"
POLICY = f'"admin": "project_id:{ADMIN}"\n"service": "project_id:{SERVICE}"\n'


@contextlib.contextmanager
def rpc_app(conf):
    """As rpc_cases.rpc_api, with ``conf``'s policy file: the engine behind RPC."""
    with rpc_cases.engine_server(conf):
        app = valet_app.setup_app(conf=conf)
        try:
            yield conformance.CheckedApp(app)
        finally:
            app.store.close()
            app.operations.close()


@pytest.fixture(params=["local", "rpc"])
def api(request, tmp_path, empty_url, inventory):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(POLICY)
    migrate.upgrade(empty_url)
    if request.param == "local":
        conf = engine_cases.engine_conf(empty_url, inventory)
    else:
        conf = rpc_cases.rpc_conf(empty_url, inventory, rpc_cases.MEMORY,
                                  f"valet-test-{uuid.uuid4().hex}", 60.0)
    conf.set_override("policy_file", str(policy_file), "oslo_policy")
    serve = engine_cases.engine_api(empty_url, inventory, upgrade=False, conf=conf) \
        if request.param == "local" else rpc_app(conf)
    with serve as client:
        yield client


def ask(api, project, method, path, body=None):
    return api.request(path, method=method, headers={"X-Project-Id": project},
                       expect_errors=True, **({"json": body} if body is not None else {}))


def plan_of(api, project, stack_id, *resources):
    body = engine_cases.plan_body(stack_id, *(resources or [engine_cases.server(stack_id)]))
    response = ask(api, project, "POST", "/v1/plans", body)
    assert response.status_int == 201, response.text
    return response.json["plan"]


def same_as_missing(api, project, method, path, missing_path, body=None):
    """The answer to ``path`` (another project's) is the answer to an unknown
    id, word for word once the id is replaced."""
    foreign = ask(api, project, method, path, body)
    unknown = ask(api, project, method, missing_path, body)
    assert foreign.status_int == unknown.status_int == 404, foreign.text
    known_id, missing_id = path.rsplit("/", 1)[1], missing_path.rsplit("/", 1)[1]
    assert foreign.json == {**unknown.json, "error": {
        **unknown.json["error"],
        "message": unknown.json["error"]["message"].replace(missing_id, known_id)}}
    assert "project" not in foreign.text


# -- plans ----------------------------------------------------------------------

@pytest.mark.parametrize(("method", "body"), [
    ("GET", None), ("DELETE", None),
    ("PUT", {"action": "update", "resources": dict([engine_cases.server("x")])})])
def test_another_projects_plan_is_missing_not_forbidden(api, method, body):
    plan = plan_of(api, PROJECT_A, "stack-a")
    for key in (plan["id"], "stack-a"):
        same_as_missing(api, PROJECT_B, method, f"/v1/plans/{key}", "/v1/plans/no-such",
                        body)
    assert ask(api, PROJECT_A, "GET", "/v1/plans/stack-a").status_int == 200


def test_a_member_reads_its_plans_without_hosts(api):
    created = plan_of(api, PROJECT_A, "stack-a")
    orch_id = "orch-stack-a"
    assert created["placements"] == {orch_id: {"name": "stack-a", "groups": []}}
    shown = ask(api, PROJECT_A, "GET", "/v1/plans/stack-a").json["plan"]
    assert shown["placements"] == {orch_id: {"name": "stack-a", "groups": []}}
    listed = ask(api, PROJECT_A, "GET", "/v1/plans").json["plans"]
    assert [plan["placements"] for plan in listed] == [{orch_id: {"name": "stack-a", "groups": []}}]
    for who in (ADMIN, SERVICE):
        shown = ask(api, who, "GET", "/v1/plans/stack-a").json["plan"]
        assert shown["placements"][orch_id]["location"] in engine_cases.HOSTS


def test_reusing_another_projects_orchestration_id_names_no_plan(api):
    plan_a = plan_of(api, PROJECT_A, "stack-a", engine_cases.server("web"))
    body = engine_cases.plan_body("stack-b", engine_cases.server("web"))
    refused = ask(api, PROJECT_B, "POST", "/v1/plans", body)
    assert_error(refused, 400, "orch-web", "already placed")
    assert plan_a["id"] not in refused.text
    # Its own project's second stack is told which plan holds it.
    body = engine_cases.plan_body("stack-a2", engine_cases.server("web"))
    assert_error(ask(api, PROJECT_A, "POST", "/v1/plans", body), 400, plan_a["id"])


# -- placements -----------------------------------------------------------------

def test_placements_list_only_the_callers_project_without_location(api):
    plan_of(api, PROJECT_A, "stack-a")
    plan_of(api, PROJECT_B, "stack-b")
    mine = ask(api, PROJECT_B, "GET", "/v1/placements").json["placements"]
    assert [(p["orchestration_id"], "location" in p) for p in mine] == \
        [("orch-stack-b", False)]
    for who in (ADMIN, SERVICE):
        every = ask(api, who, "GET", "/v1/placements").json["placements"]
        assert sorted(p["orchestration_id"] for p in every) == ["orch-stack-a",
                                                                "orch-stack-b"]
        assert all(p["location"] in engine_cases.HOSTS for p in every)


def test_a_location_filter_tells_a_member_nothing(api):
    plan_of(api, PROJECT_A, "stack-a")
    host = ask(api, ADMIN, "GET", "/v1/placements").json["placements"][0]["location"]
    found = ask(api, ADMIN, "GET", f"/v1/placements?location={host}").json["placements"]
    assert len(found) == 1
    assert ask(api, PROJECT_A, "GET", f"/v1/placements?location={host}").json == \
        {"placements": []}


def test_another_projects_placement_is_missing_not_forbidden(api):
    plan_of(api, PROJECT_A, "stack-a")
    same_as_missing(api, PROJECT_B, "GET", "/v1/placements/orch-stack-a",
                    "/v1/placements/orch-no-such")
    shown = ask(api, PROJECT_A, "GET", "/v1/placements/orch-stack-a").json["placement"]
    assert set(shown) == engine_cases.PLACEMENT_FIELDS - {"location"}
    shown = ask(api, ADMIN, "GET", "/v1/placements/orch-stack-a").json["placement"]
    assert set(shown) == engine_cases.PLACEMENT_FIELDS


# -- the data centre -------------------------------------------------------------

@pytest.mark.parametrize(("path", "rule"), [
    ("/v1/hosts", "valet:hosts:list"), ("/v1/hosts/r1-h1", "valet:hosts:show"),
    ("/v1/resources", "valet:resources:list")])
def test_hosts_and_resources_are_for_admin_and_service(api, path, rule):
    assert_error(ask(api, PROJECT_A, "GET", path), 403, rule)
    for who in (ADMIN, SERVICE):
        assert ask(api, who, "GET", path).status_int == 200


# -- named groups ----------------------------------------------------------------

def test_group_members_are_for_admin_only(api):
    group = {"name": "web-ha", "type": "diversity", "level": "host",
             "members": [PROJECT_A, PROJECT_B]}
    created = ask(api, ADMIN, "POST", "/v1/groups", group)
    assert created.status_int == 201 and created.json["members"] == [PROJECT_A, PROJECT_B]
    for who in (PROJECT_A, SERVICE):
        listed = ask(api, who, "GET", "/v1/groups").json["groups"]
        assert [("members" in g, g["name"]) for g in listed] == [(False, "web-ha")]
        assert "members" not in ask(api, who, "GET", "/v1/groups/web-ha").json["group"]
    assert ask(api, ADMIN, "GET", "/v1/groups/web-ha").json["group"]["members"] == \
        [PROJECT_A, PROJECT_B]


def test_a_member_asks_only_about_its_own_membership(api):
    group = {"name": "web-ha", "type": "diversity", "level": "host", "members": [PROJECT_A]}
    assert ask(api, ADMIN, "POST", "/v1/groups", group).status_int == 201
    path = "/v1/groups/web-ha/members"
    assert ask(api, PROJECT_A, "GET", f"{path}/{PROJECT_A}").status_int == 204
    assert ask(api, PROJECT_B, "GET", f"{path}/{PROJECT_B}").status_int == 404
    assert_error(ask(api, PROJECT_B, "GET", f"{path}/{PROJECT_A}"), 403,
                 "valet:groups:members:show")
    assert ask(api, ADMIN, "GET", f"{path}/{PROJECT_A}").status_int == 204
