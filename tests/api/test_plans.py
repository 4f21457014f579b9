"""``/v1/plans`` over a real SQLite store and a small inventory (DESIGN §4, §6)."""

import pytest

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, PLAN_FIELDS, group, plan_body, server, servers
from tests.api.rpc_cases import both_modes


def make(api, stack_id, *resources, **fields):
    return call(api, "POST", "/v1/plans", plan_body(stack_id, *resources, **fields),
                status=201).json["plan"]


def hosts_of(plan):
    return {entry["name"]: entry["location"] for entry in plan["placements"].values()}


@both_modes
def test_create_returns_the_plan_shape(engine_api):
    plan = make(engine_api, "stack-1", *servers("web", 2))
    assert set(plan) == PLAN_FIELDS and plan["id"]
    assert plan["name"] == "plan-stack-1" and plan["stack_id"] == "stack-1"
    assert set(plan["placements"]) == {"orch-web1", "orch-web2"}
    for entry in plan["placements"].values():
        assert set(entry) == {"name", "location", "groups"} and entry["location"] in HOSTS


def test_an_empty_stack_is_an_empty_plan(engine_api):
    assert make(engine_api, "empty")["placements"] == {}


@both_modes
def test_list_and_show_by_id_or_stack_id(engine_api):
    assert call(engine_api, "GET", "/v1/plans", status=200).json == {"plans": []}
    first = make(engine_api, "s1", server("a"))
    second = make(engine_api, "s2", server("b"))
    listed = call(engine_api, "GET", "/v1/plans", status=200).json
    assert set(listed) == {"plans"}
    assert sorted(listed["plans"], key=lambda p: p["stack_id"]) == [first, second]
    for key in (first["id"], "s1"):
        assert call(engine_api, "GET", f"/v1/plans/{key}", status=200).json == {"plan": first}


def test_the_same_stack_twice_is_the_existing_plan(engine_api):
    first = make(engine_api, "s1", *servers("web", 2, "large"))
    again = make(engine_api, "s1", *servers("web", 2, "large"))
    assert again == first
    assert len(call(engine_api, "GET", "/v1/plans").json["plans"]) == 1
    # No second reservation: the two hosts left still take two large servers.
    make(engine_api, "s2", *servers("db", 2, "large"))


def test_locations_limit_the_hosts(engine_api):
    plan = make(engine_api, "s1", *servers("web", 2), locations=["r2-h2"])
    assert set(hosts_of(plan).values()) == {"r2-h2"}


@both_modes
def test_an_infeasible_stack_is_409_naming_rule_and_resource(engine_api):
    names = [f"web{n}" for n in range(1, 6)]
    body = plan_body("s1", *servers("web", 5),
                     group("spread", "diversity", "host", names))
    error = assert_error(call(engine_api, "POST", "/v1/plans", body), 409, "diversity")
    assert error["error"]["type"] == "NoPlacement"
    assert any(name in error["error"]["message"] for name in names)
    assert call(engine_api, "GET", "/v1/plans").json == {"plans": []}
    assert call(engine_api, "GET", "/v1/placements").json == {"placements": []}


def test_too_big_for_the_data_centre_is_409(engine_api):
    assert_error(call(engine_api, "POST", "/v1/plans",
                      plan_body("s1", *servers("big", 5, "large"))), 409)


@both_modes
def test_an_unknown_flavor_is_400(engine_api):
    assert_error(call(engine_api, "POST", "/v1/plans",
                      plan_body("s1", server("web", "huge"))), 400, "huge")


@both_modes
def test_update_keeps_an_unchanged_server_and_places_new_ones(engine_api):
    plan = make(engine_api, "s1", server("a"), server("b", "half"))
    before = hosts_of(plan)
    resources = dict([server("a"), server("b", "half"), server("c", "large")])
    updated = call(engine_api, "PUT", f"/v1/plans/{plan['id']}",
                   {"action": "update", "resources": resources}, status=201).json["plan"]
    after = hosts_of(updated)
    assert updated["id"] == plan["id"] and set(after) == {"a", "b", "c"}
    assert after["a"] == before["a"] and after["b"] == before["b"]
    assert after["c"] not in (before["a"], before["b"])
    assert call(engine_api, "GET", f"/v1/plans/{plan['id']}").json == {"plan": updated}


def test_update_drops_removed_servers(engine_api):
    plan = make(engine_api, "s1", server("a"), server("b"))
    updated = call(engine_api, "PUT", "/v1/plans/s1",
                   {"action": "update", "resources": dict([server("a")]),
                    "original_resources": dict([server("a"), server("b")])},
                   status=201).json["plan"]
    assert hosts_of(updated) == {"a": hosts_of(plan)["a"]}
    assert_error(call(engine_api, "GET", "/v1/placements/orch-b"), 404)


@both_modes
def test_migrate_moves_off_the_host_and_excluded_hosts(engine_api):
    plan = make(engine_api, "s1", server("a"), server("b"))
    was = hosts_of(plan)["a"]
    excluded = [host for host in HOSTS if host != was][:2]
    moved = call(engine_api, "PUT", f"/v1/plans/{plan['id']}",
                 {"action": "migrate", "resources": ["orch-a"], "excluded_hosts": excluded},
                 status=201).json["plan"]
    now = hosts_of(moved)
    assert now["a"] not in [was, *excluded] and now["b"] == hosts_of(plan)["b"]


def test_migrate_by_resource_id(engine_api):
    plan = make(engine_api, "s1", server("a"))
    call(engine_api, "POST", "/v1/placements/orch-a",
         {"action": "reserve", "locations": list(HOSTS), "resource_id": "uuid-a"}, status=201)
    moved = call(engine_api, "PUT", "/v1/plans/s1",
                 {"action": "migrate", "resources": ["uuid-a"]}, status=201).json["plan"]
    assert hosts_of(moved)["a"] != hosts_of(plan)["a"]


def test_migrate_with_nowhere_to_go_is_409_and_changes_nothing(engine_api):
    plan = make(engine_api, "s1", server("a"))
    others = [host for host in HOSTS if host != hosts_of(plan)["a"]]
    assert_error(call(engine_api, "PUT", "/v1/plans/s1",
                      {"action": "migrate", "resources": ["orch-a"],
                       "excluded_hosts": others}), 409)
    assert call(engine_api, "GET", "/v1/plans/s1").json == {"plan": plan}


@both_modes
def test_delete_frees_the_capacity(engine_api):
    plan = make(engine_api, "s1", *servers("big", 4, "large"))
    body = plan_body("s2", server("more", "large"))
    assert_error(call(engine_api, "POST", "/v1/plans", body), 409)
    response = call(engine_api, "DELETE", f"/v1/plans/{plan['id']}", status=204)
    assert response.body == b""
    assert_error(call(engine_api, "GET", f"/v1/plans/{plan['id']}"), 404)
    assert call(engine_api, "GET", "/v1/placements").json == {"placements": []}
    call(engine_api, "POST", "/v1/plans", body, status=201)


def test_delete_by_stack_id(engine_api):
    make(engine_api, "s1", server("a"))
    call(engine_api, "DELETE", "/v1/plans/s1", status=204)
    assert call(engine_api, "GET", "/v1/plans").json == {"plans": []}


@both_modes
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/v1/plans/nope", None),
    ("PUT", "/v1/plans/nope", {"action": "update", "resources": {}}),
    ("PUT", "/v1/plans/nope", {"action": "migrate", "resources": ["orch-a"]}),
    ("DELETE", "/v1/plans/nope", None),
])
def test_unknown_plans_are_404(engine_api, method, path, body):
    assert_error(call(engine_api, method, path, body), 404, "nope")


@both_modes
def test_migrating_an_unknown_resource_is_404(engine_api):
    make(engine_api, "s1", server("a"))
    assert_error(call(engine_api, "PUT", "/v1/plans/s1",
                      {"action": "migrate", "resources": ["orch-zz"]}), 404, "orch-zz")


GOOD = plan_body("s1", server("a"))


@pytest.mark.parametrize("body, field", [
    ({k: v for k, v in GOOD.items() if k != "stack_id"}, "stack_id"),
    ({**GOOD, "stack_id": None}, "stack_id"),
    ({**GOOD, "stack_id": 7}, "stack_id"),
    ({**GOOD, "stack_id": ""}, "stack_id"),
    ({k: v for k, v in GOOD.items() if k != "resources"}, "resources"),
    ({**GOOD, "resources": ["a"]}, "resources"),
    ({**GOOD, "resources": "a"}, "resources"),
    ({**GOOD, "resources": {"orch-a": 5}}, "orch-a"),
    ({**GOOD, "plan_name": 5}, "plan_name"),
    ({**GOOD, "locations": "r1-h1"}, "locations"),
    ({**GOOD, "locations": [1]}, "locations"),
    ({**GOOD, "locations": [None]}, "locations"),
    ({**GOOD, "timeout": [1]}, "timeout"),
    ({**GOOD, "colour": "red"}, "colour"),
    ("{oops", "JSON"),
    ("[]", "object"),
    ("", "object"),
])
def test_bad_create_bodies_are_400_naming_the_field(engine_api, body, field):
    assert_error(call(engine_api, "POST", "/v1/plans", body), 400, field)
    assert call(engine_api, "GET", "/v1/plans").json == {"plans": []}


@pytest.mark.parametrize("body, field", [
    ({}, "action"),
    ({"action": "grow", "resources": {}}, "action"),
    ({"action": 3}, "action"),
    ({"action": "update"}, "resources"),
    ({"action": "update", "resources": ["orch-a"]}, "resources"),
    ({"action": "update", "resources": {}, "original_resources": 4}, "original_resources"),
    ({"action": "update", "resources": {}, "excluded_hosts": []}, "excluded_hosts"),
    ({"action": "migrate"}, "resources"),
    ({"action": "migrate", "resources": "orch-a"}, "resources"),
    ({"action": "migrate", "resources": []}, "resources"),
    ({"action": "migrate", "resources": ["orch-a", "orch-b"]}, "resources"),
    ({"action": "migrate", "resources": ["orch-a"], "excluded_hosts": "r1-h1"},
     "excluded_hosts"),
    ("[1]", "object"),
])
def test_bad_change_bodies_are_400_naming_the_field(engine_api, body, field):
    plan = make(engine_api, "s1", server("a"), server("b"))
    assert_error(call(engine_api, "PUT", "/v1/plans/s1", body), 400, field)
    assert call(engine_api, "GET", "/v1/plans/s1").json == {"plan": plan}


def test_an_update_takes_the_original_apis_timeout_and_plan_name(engine_api):
    plan = make(engine_api, "s1", server("a"))
    updated = call(engine_api, "PUT", f"/v1/plans/{plan['id']}", {
        "action": "update", "resources": dict([server("a"), server("b")]),
        "timeout": "60 sec", "plan_name": "renamed"}, status=201).json["plan"]
    assert set(hosts_of(updated)) == {"a", "b"}
    assert updated["name"] == plan["name"]      # ignored, as the original did


def test_each_placement_names_its_groups(engine_api):
    plan = make(engine_api, "s1", *servers("web", 3),
                group("spread", "diversity", "host", ["web1", "web2"]))
    groups = {entry["name"]: entry["groups"] for entry in plan["placements"].values()}
    assert groups == {"web1": ["spread"], "web2": ["spread"], "web3": []}
    shown = call(engine_api, "GET", f"/v1/plans/{plan['id']}").json["plan"]
    assert shown == plan


def _limited(name, kind, level, members, limit):
    orch, entry = group(name, kind, level, members)
    entry["properties"]["max_per_domain"] = limit
    return orch, entry


def test_max_per_domain_allows_that_many_per_host(engine_api):
    # Packing would put all four small servers on one host; the limit of two
    # puts exactly two on each of two hosts.
    plan = make(engine_api, "s1", *servers("web", 4),
                _limited("pool", "diversity", "host", [f"web{i}" for i in range(1, 5)], 2))
    hosts = list(hosts_of(plan).values())
    assert sorted(hosts.count(host) for host in set(hosts)) == [2, 2]


@pytest.mark.parametrize("kind, limit", [("diversity", 0), ("affinity", 2)])
def test_a_meaningless_max_per_domain_is_400_naming_it(engine_api, kind, limit):
    body = plan_body("s1", *servers("web", 2), _limited("pool", kind, "host", ["web1", "web2"],
                                                        limit))
    assert_error(call(engine_api, "POST", "/v1/plans", body), 400, "max_per_domain")
    assert call(engine_api, "GET", "/v1/plans", status=200).json == {"plans": []}
