"""Least privilege for reads (issue 11 §4) with real Keystone tokens: what
a member of project B learns of project A's plans, placements, hosts and
groups (nothing but that they are not B's), what A's own members and
readers see (their objects, not where they run), and that the service
user (Heat, Nova's and Cinder's filters) and the admin still see it all."""

import pytest

from tests.api import engine_cases
from tests.api.api_cases import assert_error
from tests.keystone.test_auth import assert_missing, new_plan, request, unique

PLAIN = ("member-a", "reader-a", "member-b")
EVERYWHERE = ("admin", "nova")


def placement_of(plan):
    return next(iter(plan["placements"]))


def test_placements_list_only_the_callers_project_and_no_hosts(valet, cloud):
    orch_id = placement_of(new_plan(valet, cloud, "member-a"))
    for person in ("member-a", "reader-a"):
        shown = request(valet, cloud, person, "GET", "/v1/placements").json["placements"]
        assert orch_id in [p["id"] for p in shown], person
        assert not any("location" in p for p in shown), person
    shown = request(valet, cloud, "member-b", "GET", "/v1/placements").json["placements"]
    assert orch_id not in [p["id"] for p in shown]
    for person in EVERYWHERE:
        shown = request(valet, cloud, person, "GET", "/v1/placements").json["placements"]
        mine = [p for p in shown if p["id"] == orch_id]
        assert mine and mine[0]["location"] in engine_cases.HOSTS, person


def test_another_projects_placement_is_missing(valet, cloud):
    orch_id = placement_of(new_plan(valet, cloud, "member-a"))
    assert_missing(valet, cloud, "member-b", "GET", f"/v1/placements/{orch_id}")
    shown = request(valet, cloud, "reader-a", "GET", f"/v1/placements/{orch_id}").json
    assert set(shown["placement"]) == engine_cases.PLACEMENT_FIELDS - {"location"}
    for person in EVERYWHERE:
        shown = request(valet, cloud, person, "GET", f"/v1/placements/{orch_id}").json
        assert shown["placement"]["location"] in engine_cases.HOSTS, person


def test_a_member_reads_its_plan_without_hosts(valet, cloud):
    plan = new_plan(valet, cloud, "member-a")
    orch_id = placement_of(plan)
    assert set(plan["placements"][orch_id]) == {"name", "groups"}     # no location
    for person, located in (("reader-a", False), ("admin", True), ("nova", True)):
        shown = request(valet, cloud, person, "GET", f"/v1/plans/{plan['id']}").json["plan"]
        assert ("location" in shown["placements"][orch_id]) is located, person


def test_reused_ids_name_no_plan_of_another_project(valet, cloud):
    plan = new_plan(valet, cloud, "member-a")
    orch_id, placed = next(iter(plan["placements"].items()))
    server = {"type": "OS::Nova::Server", "name": placed["name"],
              "properties": {"flavor": "small"}}
    body = engine_cases.plan_body(unique("stack"), (orch_id, server))
    refused = request(valet, cloud, "member-b", "POST", "/v1/plans", body)
    assert_error(refused, 400, f"resource {orch_id} is already placed")
    assert plan["id"] not in refused.text
    body = engine_cases.plan_body(plan["stack_id"], engine_cases.server(unique("web")))
    refused = request(valet, cloud, "member-b", "POST", "/v1/plans", body)
    assert_error(refused, 409, plan["stack_id"])
    assert plan["id"] not in refused.text


@pytest.mark.parametrize(("path", "rule"), [
    ("/v1/hosts", "valet:hosts:list"), ("/v1/hosts/r1-h1", "valet:hosts:show"),
    ("/v1/resources", "valet:resources:list")])
def test_hosts_and_resources_are_for_admin_and_service(valet, cloud, path, rule):
    for person in PLAIN:
        assert_error(request(valet, cloud, person, "GET", path), 403, rule)
    for person in EVERYWHERE:
        assert request(valet, cloud, person, "GET", path).status_int == 200, person


def test_group_members_are_for_the_admin(valet, cloud):
    project_a, project_b = cloud.projects["valet-a"], cloud.projects["valet-b"]
    name = unique("group")
    group = {"name": name, "type": "diversity", "level": "host",
             "members": [project_a, project_b]}
    assert request(valet, cloud, "admin", "POST", "/v1/groups", group).status_int == 201
    for person in (*PLAIN, "nova"):
        shown = request(valet, cloud, person, "GET", f"/v1/groups/{name}").json["group"]
        assert shown["name"] == name and "members" not in shown, person
        listed = request(valet, cloud, person, "GET", "/v1/groups").json["groups"]
        assert not any("members" in g for g in listed), person
    shown = request(valet, cloud, "admin", "GET", f"/v1/groups/{name}").json["group"]
    assert sorted(shown["members"]) == sorted([project_a, project_b])
    # A reader may ask whether its own project is a member, not another's.
    members = f"/v1/groups/{name}/members"
    assert request(valet, cloud, "member-b", "GET", f"{members}/{project_b}").status_int == 204
    assert request(valet, cloud, "reader-a", "GET", f"{members}/{project_a}").status_int == 204
    assert_error(request(valet, cloud, "member-b", "GET", f"{members}/{project_a}"), 403,
                 "valet:groups:members:show")
    assert request(valet, cloud, "admin", "GET", f"{members}/{project_a}").status_int == 204
