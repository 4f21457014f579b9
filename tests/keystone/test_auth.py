"""valet-api in keystone mode against a real Keystone: the real auth_token
middleware validates real tokens, the real policy decides, and member
projects are looked up in Keystone.  The app runs under webtest, and once as
a real ``valet-api`` process over HTTP, which the plugins' client finds
through the Keystone catalog."""

import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from oslo_config import cfg

from tests.api import engine_cases
from tests.api.api_cases import assert_error
from tests.keystone.conftest import PASSWORD, Identity, write_conf
from tests.support import live_server
from tests.support.live_server import call, free_port, wait_until_up
from valet_openstack import options as valet_options
from valet_openstack.client import NotFound, ValetClient

VALET_API = Path(sys.executable).parent / "valet-api"


def request(valet, cloud, person, method, path, body=None):
    headers = cloud.headers(person) if person else {}
    return valet.request(path, method=method, headers=headers, expect_errors=True,
                         **({"json": body} if body is not None else {}))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_group(**fields):
    return {"name": unique("group"), "type": "diversity", "level": "host", **fields}


def new_plan(valet, cloud, person):
    stack = unique("stack")
    body = engine_cases.plan_body(stack, engine_cases.server(stack))
    response = request(valet, cloud, person, "POST", "/v1/plans", body)
    assert response.status_int == 201, response.text
    return response.json["plan"]


# -- authentication ----------------------------------------------------------

def test_versions_need_no_token(valet):
    response = valet.get("/")
    assert response.json["versions"][0]["id"] == "v1.0"


def test_healthcheck_needs_no_token(valet):
    response = valet.get("/healthcheck")
    assert response.text == "database: OK; engine: in process"
    assert valet.head("/healthcheck").status_int == 204


def test_a_401_names_its_request(valet, cloud):
    response = request(valet, cloud, None, "HEAD", "/v1/status")
    assert response.status_int == 401
    assert response.headers["X-OpenStack-Request-Id"].startswith("req-")


def test_no_token_is_401_with_keystones_address(valet, cloud):
    response = request(valet, cloud, None, "GET", "/v1/groups")
    assert response.status_int == 401
    assert response.headers["WWW-Authenticate"] == f"Keystone uri=\"{cloud.url}\""


def test_bad_token_is_401(valet):
    response = valet.get("/v1/groups", headers={"X-Auth-Token": "not-a-token"},
                         expect_errors=True)
    assert response.status_int == 401


def test_forged_identity_headers_are_not_believed(valet, cloud):
    # NOTE: auth_token replaces X-Roles with the token's own roles.
    response = valet.post_json("/v1/groups", new_group(), expect_errors=True,
                               headers={**cloud.headers("reader-a"), "X-Roles": "admin"})
    assert_error(response, 403, "valet:groups:create")


# -- named groups -----------------------------------------------------------

def test_reader_reads_groups_but_cannot_create_one(valet, cloud):
    assert request(valet, cloud, "reader-a", "GET", "/v1/groups").status_int == 200
    response = request(valet, cloud, "reader-a", "POST", "/v1/groups", new_group())
    assert_error(response, 403, "valet:groups:create")


def test_admin_creates_a_group_of_real_projects(valet, cloud):
    members = [cloud.projects["valet-a"], cloud.projects["valet-b"]]
    response = request(valet, cloud, "admin", "POST", "/v1/groups", new_group(members=members))
    assert response.status_int == 201, response.text
    assert sorted(response.json["members"]) == sorted(members)


def test_unknown_member_project_is_409_and_nothing_is_stored(valet, cloud):
    body = new_group(members=[cloud.projects["valet-a"], "no-such-project"])
    response = request(valet, cloud, "admin", "POST", "/v1/groups", body)
    assert_error(response, 409, "no-such-project")
    assert request(valet, cloud, "admin", "GET", f"/v1/groups/{body['name']}").status_int == 404

    body = new_group()
    assert request(valet, cloud, "admin", "POST", "/v1/groups", body).status_int == 201
    response = request(valet, cloud, "admin", "PUT", f"/v1/groups/{body['name']}/members",
                       {"members": ["../users", cloud.projects["valet-b"]]})
    assert_error(response, 409, "../users")
    shown = request(valet, cloud, "admin", "GET", f"/v1/groups/{body['name']}").json
    assert shown["group"]["members"] == []


# -- plans --------------------------------------------------------------------

def test_member_plans_a_stack_and_reads_it(valet, cloud):
    plan = new_plan(valet, cloud, "member-a")
    response = request(valet, cloud, "member-a", "GET", f"/v1/plans/{plan['id']}")
    assert response.status_int == 200 and response.json["plan"]["id"] == plan["id"]
    assert request(valet, cloud, "reader-a", "GET", f"/v1/plans/{plan['id']}").status_int == 200
    listed = request(valet, cloud, "member-a", "GET", "/v1/plans").json["plans"]
    assert plan["id"] in [shown["id"] for shown in listed]


def test_reader_cannot_plan(valet, cloud):
    body = engine_cases.plan_body(unique("stack"), engine_cases.server(unique("web")))
    response = request(valet, cloud, "reader-a", "POST", "/v1/plans", body)
    assert_error(response, 403, "valet:plans:create")


def assert_missing(valet, cloud, person, method, path, body=None):
    """``path`` names another project's object: the answer is the one an
    unknown id gets (404 ``no <kind> <id>``), word for word."""
    response = request(valet, cloud, person, method, path, body)
    key = path.rsplit("/", 1)[1]
    kind = path.split("/")[2][:-1]          # plans -> plan
    error = assert_error(response, 404, f"no {kind} {key}")
    assert error["error"]["type"] == "NotFound"
    unknown = request(valet, cloud, person, method, path.replace(key, "no-such-id"), body)
    assert unknown.json["error"]["message"] == f"no {kind} no-such-id"


def test_another_projects_plan_is_missing_to_a_member(valet, cloud):
    plan = new_plan(valet, cloud, "member-a")
    change = {"action": "update", "resources": dict([engine_cases.server(unique("web"))])}
    for key in (plan["id"], plan["stack_id"]):
        assert_missing(valet, cloud, "member-b", "GET", f"/v1/plans/{key}")
        assert_missing(valet, cloud, "member-b", "PUT", f"/v1/plans/{key}", change)
        assert_missing(valet, cloud, "member-b", "DELETE", f"/v1/plans/{key}")
    listed = request(valet, cloud, "member-b", "GET", "/v1/plans").json["plans"]
    assert plan["id"] not in [shown["id"] for shown in listed]
    # the plan is still there, and its owner may delete it
    assert request(valet, cloud, "member-a", "DELETE", f"/v1/plans/{plan['id']}").status_int == 204


def test_only_the_service_plans_for_another_project(valet, cloud):
    body = {**engine_cases.plan_body(unique("stack"), engine_cases.server(unique("web"))),
            "project_id": cloud.projects["valet-b"]}
    response = request(valet, cloud, "member-a", "POST", "/v1/plans", body)
    assert_error(response, 403, "valet:plans:create:on_behalf")
    response = request(valet, cloud, "nova", "POST", "/v1/plans", body)
    assert response.status_int == 201, response.text
    plan = response.json["plan"]
    # It is project B's plan: B's member reads it; to A's it is missing.
    assert request(valet, cloud, "member-b", "GET", f"/v1/plans/{plan['id']}").status_int == 200
    assert_missing(valet, cloud, "member-a", "GET", f"/v1/plans/{plan['id']}")


def test_admin_and_service_see_every_projects_plans(valet, cloud):
    plan = new_plan(valet, cloud, "member-b")
    for person in ("admin", "nova"):
        listed = request(valet, cloud, person, "GET", "/v1/plans").json["plans"]
        assert plan["id"] in [shown["id"] for shown in listed], person


# -- placements ---------------------------------------------------------------

def test_service_reserves_a_placement_a_member_cannot(valet, cloud):
    plan = new_plan(valet, cloud, "member-a")
    orch_id = next(iter(plan["placements"]))
    # NOTE: the member is not shown the host (valet:placements:location:show).
    shown = request(valet, cloud, "admin", "GET", f"/v1/placements/{orch_id}").json
    body = {"action": "reserve", "locations": [shown["placement"]["location"]]}
    response = request(valet, cloud, "member-a", "POST", f"/v1/placements/{orch_id}", body)
    assert_error(response, 403, "valet:placements:reserve")
    response = request(valet, cloud, "member-a", "DELETE", f"/v1/placements/{orch_id}")
    assert_error(response, 403, "valet:placements:delete")
    response = request(valet, cloud, "nova", "POST", f"/v1/placements/{orch_id}", body)
    assert response.status_int == 201, response.text
    assert response.json["placement"]["reserved"] is True


# -- a real valet-api process -------------------------------------------------

@pytest.fixture
def valet_process(cloud, tmp_path):
    """``(base URL, its log)``: a real valet-api in keystone mode, one worker."""
    port = free_port()
    conf = write_conf(tmp_path, cloud.url, host="127.0.0.1", port=port, workers=1)
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "valet-api.log", "wb") as log:
        process = subprocess.Popen([str(VALET_API), "--config-file", str(conf)],
                                   cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        status, _ = wait_until_up(base, process, timeout=60)
        assert status == 200
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, (tmp_path / "valet-api.log").read_text()


def test_valet_api_process_serves_keystone_mode(cloud, valet_process):
    status, _ = call(valet_process, "GET", "/v1/groups")
    assert status == 401
    status, body = call(valet_process, "GET", "/healthcheck",       # no token
                        headers={"Accept": "application/json"})
    assert (status, body["reasons"]) == (200, ["database: OK; engine: in process"])
    status, body = call(valet_process, "GET", "/v1/groups", headers=cloud.headers("reader-a"))
    assert (status, body) == (200, {"groups": []})


def test_the_plugins_client_finds_valet_in_the_catalog(cloud, valet_process, tmp_path):
    # Valet registered as DESIGN §7 and doc/openstack.md say: service type
    # valet, the endpoint without /v1.
    identity = Identity(cloud.url)
    service = identity.create("services", "service", type="valet", name=unique("valet"))
    for interface in ("public", "internal"):
        identity.create("endpoints", "endpoint", service_id=service, interface=interface,
                        url=valet_process, region_id="RegionOne")
    # NOTE: a file, as in nova.conf: the password plugin's options exist
    # only once keystoneauth1 loads the plugin that auth_type names.
    nova_conf = live_server.write_groups(tmp_path / "nova.conf", {"valet": {
        "auth_type": "password", "auth_url": cloud.url, "username": "nova",
        "password": PASSWORD, "project_name": "service", "user_domain_id": "default",
        "project_domain_id": "default", "region_name": "RegionOne"}})
    conf = cfg.ConfigOpts()
    valet_options.register_opts(conf)
    conf([], project="nova", default_config_files=[str(nova_conf)])
    with ValetClient(conf) as client:
        # The service user (Nova's, Heat's) plans and reserves with its token.
        stack = unique("stack")
        plan = client.create_plan(stack, dict([engine_cases.server(stack)]))
        orch_id = next(iter(plan["placements"]))
        host = plan["placements"][orch_id]["location"]
        assert client.reserve(orch_id, [host])["reserved"] is True
        client.delete_plan(stack)
        with pytest.raises(NotFound):
            client.get_plan(stack)
