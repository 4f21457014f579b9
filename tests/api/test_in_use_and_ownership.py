"""A named group that placed resources use cannot be deleted, nor can a
member project be removed while its plans use the group (DESIGN §4: 409);
and a stack id is idempotent for its own project only."""

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import plan_body, server

GROUP = {"name": "web-ha", "type": "diversity", "level": "host", "members": ["proj-a"]}


def in_group(name):
    return server(name, metadata={"valet": {"groups": ["web-ha"]}})


def plan_in_group(api, stack_id, project):
    api.extra_environ = {"HTTP_X_PROJECT_ID": project}
    try:
        return call(api, "POST", "/v1/plans", plan_body(stack_id, in_group(f"{stack_id}-w")),
                    status=201).json["plan"]
    finally:
        api.extra_environ = {}


def test_a_group_in_use_is_not_deleted_until_its_plans_go(engine_api):
    call(engine_api, "POST", "/v1/groups", {**GROUP, "members": []}, status=201)
    plan_in_group(engine_api, "s1", "proj-a")
    body = assert_error(call(engine_api, "DELETE", "/v1/groups/web-ha"), 409, "web-ha",
                        "s1-w")
    assert body["error"]["type"] == "InUse"
    assert call(engine_api, "GET", "/v1/groups/web-ha", status=200)
    call(engine_api, "DELETE", "/v1/plans/s1", status=204)
    call(engine_api, "DELETE", "/v1/groups/web-ha", status=204)


def test_a_member_with_servers_in_the_group_stays_a_member(engine_api):
    call(engine_api, "POST", "/v1/groups", {**GROUP, "members": ["proj-a", "proj-b"]},
         status=201)
    plan_in_group(engine_api, "s1", "proj-a")
    assert_error(call(engine_api, "DELETE", "/v1/groups/web-ha/members/proj-a"), 409,
                 "proj-a", "s1-w")
    # Another member without servers in it may go.
    call(engine_api, "DELETE", "/v1/groups/web-ha/members/proj-b", status=204)
    members = call(engine_api, "GET", "/v1/groups/web-ha", status=200).json["group"]["members"]
    assert members == ["proj-a"]
    call(engine_api, "DELETE", "/v1/plans/s1", status=204)
    call(engine_api, "DELETE", "/v1/groups/web-ha/members/proj-a", status=204)


def test_another_projects_stack_id_is_refused_not_shown(engine_api):
    call(engine_api, "POST", "/v1/groups", {**GROUP, "members": []}, status=201)
    mine = plan_in_group(engine_api, "s1", "proj-a")
    engine_api.extra_environ = {"HTTP_X_PROJECT_ID": "proj-b"}
    try:
        body = assert_error(call(engine_api, "POST", "/v1/plans",
                                 plan_body("s1", in_group("s1-w"))), 409, "s1")
    finally:
        engine_api.extra_environ = {}
    assert mine["id"] not in str(body)
    # The owner's second request is still the same plan.
    assert plan_in_group(engine_api, "s1", "proj-a") == mine


def test_a_plan_made_for_another_project_belongs_to_it(engine_api):
    # As Nova's filter plans a server booted without Heat: the caller is the
    # service project, the server and its groups are the instance's project's.
    call(engine_api, "POST", "/v1/groups", {**GROUP, "members": ["proj-x"]}, status=201)
    engine_api.extra_environ = {"HTTP_X_PROJECT_ID": "service"}
    try:
        refused = call(engine_api, "POST", "/v1/plans", plan_body("s1", in_group("s1-w")))
        assert refused.status_int in (400, 409) and "web-ha" in refused.text
        body = {**plan_body("s1", in_group("s1-w")), "project_id": "proj-x"}
        call(engine_api, "POST", "/v1/plans", body, status=201)
    finally:
        engine_api.extra_environ = {}
    # The plan is proj-x's: proj-x may not leave the group while it is placed.
    assert_error(call(engine_api, "DELETE", "/v1/groups/web-ha/members/proj-x"), 409, "s1-w")


def test_project_id_must_be_a_string(engine_api):
    body = {**plan_body("s1", in_group("s1-w")), "project_id": 7}
    assert_error(call(engine_api, "POST", "/v1/plans", body), 400, "project_id")
