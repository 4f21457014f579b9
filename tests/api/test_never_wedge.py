"""No admin change can make every route refuse (issue 11 §1, DESIGN §6).

Each test makes a plan, changes the groups or the data centre under it as
an admin would, then restarts (a fresh app over the same SQLite file, as a
new worker or a reload does): every route still answers, what no longer
holds is reported in ``/v1/resources`` with its reason, and the plan's
next change decides (update re-places, delete always works).
"""

import copy

import yaml

from tests.api import engine_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import plan_body, server

#: Routes that read the engine's whole state: none may fail for one stale plan.
READ_ROUTES = ("/v1/plans", "/v1/placements", "/v1/hosts", "/v1/resources", "/v1/status")


def as_project(api, project, method, path, body=None):
    api.extra_environ = {"HTTP_X_PROJECT_ID": project} if project else {}
    try:
        return call(api, method, path, body)
    finally:
        api.extra_environ = {}


def in_group(name, group="web-ha", flavor="small"):
    return server(name, flavor, metadata={"valet": {"groups": [group]}})


def every_route_answers(api, *plans):
    for path in READ_ROUTES + tuple(f"/v1/plans/{plan}" for plan in plans):
        response = call(api, "GET", path)
        assert response.status_int == 200, (path, response.text)
    for placement in call(api, "GET", "/v1/placements").json["placements"]:
        call(api, "GET", f"/v1/placements/{placement['id']}", status=200)
    for host in call(api, "GET", "/v1/hosts").json["hosts"]:
        call(api, "GET", f"/v1/hosts/{host['name']}", status=200)


def resources(api):
    return call(api, "GET", "/v1/resources", status=200).json["resources"]


def rewritten(tmp_path, name, change):
    """A copy of the test inventory changed by ``change(inventory)``, on disk."""
    inventory = copy.deepcopy(engine_cases.INVENTORY)
    change(inventory)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(inventory))
    return path


# -- a named group deleted while a plan still lists servers in it ------------

def test_a_deleted_group_leaves_every_route_answering(engine_api, empty_url, inventory):
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "diversity", "level": "host"}, status=201)
    call(engine_api, "POST", "/v1/plans",
         plan_body("s1", in_group("a"), server("b")), status=201)
    call(engine_api, "DELETE", "/v1/placements/orch-a", status=204)
    call(engine_api, "DELETE", "/v1/groups/web-ha", status=204)
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        assert resources(restarted) == {}
        # The plan's next change decides: naming the gone group is refused...
        assert_error(call(restarted, "PUT", "/v1/plans/s1",
                          {"action": "update",
                           "resources": dict([in_group("a"), server("b")])}),
                     400, "unknown group 'web-ha'")
        # ... the stack without it is placed, and delete always works.
        updated = call(restarted, "PUT", "/v1/plans/s1",
                       {"action": "update", "resources": dict([server("a"), server("b")])},
                       status=201).json["plan"]
        assert set(updated["placements"]) == {"orch-a", "orch-b"}
        call(restarted, "DELETE", "/v1/plans/s1", status=204)
        every_route_answers(restarted)


def test_a_plan_in_a_deleted_group_can_be_deleted(engine_api, empty_url, inventory):
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "diversity", "level": "host"}, status=201)
    call(engine_api, "POST", "/v1/plans", plan_body("s1", in_group("a")), status=201)
    call(engine_api, "DELETE", "/v1/placements/orch-a", status=204)
    call(engine_api, "DELETE", "/v1/groups/web-ha", status=204)
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as restarted:
        call(restarted, "DELETE", "/v1/plans/s1", status=204)
        assert call(restarted, "GET", "/v1/plans", status=200).json == {"plans": []}


# -- a member project added to an open group another project's plan uses -----

def test_closing_a_group_others_use_is_refused_naming_their_plans(engine_api, empty_url,
                                                                   inventory):
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "diversity", "level": "host"}, status=201)
    plan = as_project(engine_api, "proj-b", "POST", "/v1/plans",
                      plan_body("s1", in_group("a"), in_group("b"))).json["plan"]
    body = assert_error(call(engine_api, "PUT", "/v1/groups/web-ha/members",
                             {"members": ["proj-a"]}), 409, "proj-b", plan["id"])
    assert body["error"]["type"] == "InUse"
    assert call(engine_api, "GET", "/v1/groups/web-ha",
                status=200).json["group"]["members"] == []
    # Adding the user too keeps it a member: that is accepted.
    call(engine_api, "PUT", "/v1/groups/web-ha/members", {"members": ["proj-a", "proj-b"]},
         status=201)
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        moved = as_project(restarted, "proj-b", "PUT", f"/v1/plans/{plan['id']}",
                           {"action": "migrate", "resources": ["orch-a"]})
        assert moved.status_int == 201, moved.text
        updated = as_project(restarted, "proj-b", "PUT", f"/v1/plans/{plan['id']}",
                             {"action": "update", "resources": dict(
                                 [in_group("a"), in_group("b"), in_group("c")])})
        assert updated.status_int == 201, updated.text


def test_a_plan_whose_project_left_an_open_group_still_loads(engine_api, empty_url,
                                                            inventory):
    # Its servers in the group expired, so closing the group was accepted.
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "diversity", "level": "host"}, status=201)
    as_project(engine_api, "proj-b", "POST", "/v1/plans",
               plan_body("s1", in_group("a"), server("b")))
    call(engine_api, "DELETE", "/v1/placements/orch-a", status=204)
    call(engine_api, "PUT", "/v1/groups/web-ha/members", {"members": ["proj-a"]},
         status=201)
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        assert resources(restarted) == {}
        # Placing its server in the group again is refused, for that plan only.
        assert_error(as_project(restarted, "proj-b", "PUT", "/v1/plans/s1",
                                {"action": "update",
                                 "resources": dict([in_group("a"), server("b")])}),
                     400, "not a member")
        as_project(restarted, "proj-b", "DELETE", "/v1/plans/s1")
        assert call(restarted, "GET", "/v1/plans", status=200).json == {"plans": []}


# -- a host or a flavor that holds placements removed from the inventory -----

def test_a_removed_host_is_reported_and_its_servers_re_placed(engine_api, empty_url,
                                                              tmp_path):
    made = call(engine_api, "POST", "/v1/plans",
                plan_body("s1", server("a"), server("b")), status=201).json["plan"]
    gone = made["placements"]["orch-a"]["location"]
    smaller = rewritten(tmp_path, "smaller", lambda inventory: inventory.update(
        hosts=[host for host in inventory["hosts"] if host["name"] != gone]))
    with engine_cases.engine_api(empty_url, smaller, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        found = resources(restarted)
        assert found["orch-a"]["status"] == "violation"
        assert f"location {gone} does not exist" in found["orch-a"]["message"]
        updated = call(restarted, "PUT", "/v1/plans/s1",
                       {"action": "update", "resources": dict([server("a"), server("b")])},
                       status=201).json["plan"]
        assert updated["placements"]["orch-a"]["location"] != gone
        assert resources(restarted) == {}
        call(restarted, "DELETE", "/v1/plans/s1", status=204)
        every_route_answers(restarted)


def test_a_plan_on_a_removed_host_can_be_deleted_and_migrated(engine_api, empty_url,
                                                              tmp_path):
    made = call(engine_api, "POST", "/v1/plans",
                plan_body("s1", server("a"), server("b", "large")), status=201).json["plan"]
    gone = made["placements"]["orch-a"]["location"]
    smaller = rewritten(tmp_path, "smaller", lambda inventory: inventory.update(
        hosts=[host for host in inventory["hosts"] if host["name"] != gone]))
    with engine_cases.engine_api(empty_url, smaller, upgrade=False) as restarted:
        moved = call(restarted, "PUT", "/v1/plans/s1",
                     {"action": "migrate", "resources": ["orch-b"]}, status=201).json["plan"]
        assert gone not in {p["location"] for p in moved["placements"].values()}
        call(restarted, "DELETE", "/v1/plans/s1", status=204)


def test_a_removed_flavor_is_reported_and_the_plan_updated(engine_api, empty_url,
                                                           tmp_path):
    call(engine_api, "POST", "/v1/plans",
         plan_body("s1", server("a", "half"), server("b")), status=201)
    fewer = rewritten(tmp_path, "fewer", lambda inventory: inventory["flavors"].pop("half"))
    with engine_cases.engine_api(empty_url, fewer, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        found = resources(restarted)
        assert set(found) == {"orch-a"}
        assert "flavor 'half' is gone" in found["orch-a"]["message"]
        assert_error(call(restarted, "PUT", "/v1/plans/s1",
                          {"action": "update",
                           "resources": dict([server("a", "half"), server("b")])}),
                     400, "unknown flavor 'half'")
        call(restarted, "PUT", "/v1/plans/s1",
             {"action": "update", "resources": dict([server("a", "large"), server("b")])},
             status=201)
        assert resources(restarted) == {}
        call(restarted, "DELETE", "/v1/plans/s1", status=204)


def test_a_recreated_group_contradicting_a_plan_leaves_it_loading(engine_api, empty_url,
                                                                  inventory):
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "exclusivity", "level": "host"}, status=201)
    apart = engine_cases.group("apart", "diversity", "host", ["a", "b"])
    call(engine_api, "POST", "/v1/plans",
         plan_body("s1", in_group("a"), in_group("b"), server("c"), apart), status=201)
    for orch_id in ("orch-a", "orch-b"):
        call(engine_api, "DELETE", f"/v1/placements/{orch_id}", status=204)
    call(engine_api, "DELETE", "/v1/groups/web-ha", status=204)
    # The same name, now contradicting the plan's own diversity group.
    call(engine_api, "POST", "/v1/groups",
         {"name": "web-ha", "type": "affinity", "level": "host"}, status=201)
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as restarted:
        every_route_answers(restarted, "s1")
        assert "its plan no longer reads" in resources(restarted)["orch-c"]["message"]
        assert_error(call(restarted, "PUT", "/v1/plans/s1",
                          {"action": "update", "resources": dict(
                              [in_group("a"), in_group("b"), server("c"), apart])}),
                     400, "contradict")
        call(restarted, "PUT", "/v1/plans/s1",
             {"action": "update", "resources": dict([server("a"), server("c")])}, status=201)
        assert resources(restarted) == {}
        call(restarted, "DELETE", "/v1/plans/s1", status=204)
