"""``/v1/placements`` over a real SQLite store and a small inventory (DESIGN §4)."""

import pytest

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, PLACEMENT_FIELDS, plan_body, server, servers
from tests.api.rpc_cases import both_modes


@pytest.fixture
def plan(engine_api):
    body = plan_body("s1", server("a"), server("b", "half"))
    return call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]


def placement(api, key):
    return call(api, "GET", f"/v1/placements/{key}", status=200).json["placement"]


def act(api, key, action, locations, **fields):
    return call(api, "POST", f"/v1/placements/{key}",
                {"action": action, "locations": locations, **fields},
                status=201).json["placement"]


def test_list_shows_every_placement(engine_api, plan):
    listed = call(engine_api, "GET", "/v1/placements", status=200).json
    assert set(listed) == {"placements"}
    by_orch = {p["orchestration_id"]: p for p in listed["placements"]}
    assert set(by_orch) == {"orch-a", "orch-b"}
    for orch_id, shown in by_orch.items():
        assert set(shown) == PLACEMENT_FIELDS
        assert shown == {"id": orch_id, "orchestration_id": orch_id,
                         "name": plan["placements"][orch_id]["name"],
                         "location": plan["placements"][orch_id]["location"],
                         "resource_id": None, "reserved": False, "metadata": {},
                         "plan_id": plan["id"]}


def test_filters(engine_api, plan):
    call(engine_api, "POST", "/v1/plans", plan_body("s2", server("c")), status=201)
    act(engine_api, "orch-a", "reserve", list(HOSTS), resource_id="uuid-a")
    where = plan["placements"]["orch-b"]["location"]

    def ids(query):
        listed = call(engine_api, "GET", f"/v1/placements?{query}", status=200).json
        return sorted(p["orchestration_id"] for p in listed["placements"])

    assert ids(f"plan_id={plan['id']}") == ["orch-a", "orch-b"]
    assert ids("id=orch-b") == ["orch-b"]
    assert ids("orchestration_id=orch-c") == ["orch-c"]
    assert ids("name=a") == ["orch-a"]
    assert ids("resource_id=uuid-a") == ["orch-a"]
    assert "orch-b" in ids(f"location={where}")
    assert all(call(engine_api, "GET", f"/v1/placements/{o}").json["placement"]["location"]
               == where for o in ids(f"location={where}"))
    assert ids("reserved=true") == ["orch-a"]
    assert ids("reserved=false") == ["orch-b", "orch-c"]
    assert ids(f"reserved=false&plan_id={plan['id']}") == ["orch-b"]
    assert ids("id=nope") == []
    assert ids("colour=red") == []   # other keys match metadata, empty for now
    assert_error(call(engine_api, "GET", "/v1/placements?reserved=maybe"), 400, "reserved")


def test_show_by_orchestration_or_resource_id(engine_api, plan):
    shown = placement(engine_api, "orch-a")
    assert shown["location"] == plan["placements"]["orch-a"]["location"]
    act(engine_api, "orch-a", "reserve", list(HOSTS), resource_id="uuid-a")
    assert placement(engine_api, "uuid-a")["orchestration_id"] == "orch-a"


@both_modes
def test_reserve_keeps_the_planned_host(engine_api, plan):
    where = plan["placements"]["orch-a"]["location"]
    others = [host for host in HOSTS if host != where]
    reserved = act(engine_api, "orch-a", "reserve", [others[0], where], resource_id="uuid-a")
    assert reserved["location"] == where and reserved["reserved"] is True
    assert reserved["resource_id"] == "uuid-a"
    assert placement(engine_api, "orch-a") == reserved
    plan_now = call(engine_api, "GET", "/v1/plans/s1").json["plan"]
    assert plan_now == plan


@both_modes
def test_reserve_outside_the_planned_host_replans_within_locations(engine_api, plan):
    where = plan["placements"]["orch-a"]["location"]
    other = next(host for host in HOSTS if host != where)
    reserved = act(engine_api, "orch-a", "reserve", [other])
    assert reserved["location"] == other and reserved["reserved"] is True
    assert call(engine_api, "GET", "/v1/plans/s1").json["plan"]["placements"]["orch-a"] == \
        {"name": "a", "location": other, "groups": []}


@both_modes
def test_replan_moves_within_locations(engine_api, plan):
    where = plan["placements"]["orch-b"]["location"]
    other = next(host for host in HOSTS if host != where)
    moved = act(engine_api, "orch-b", "replan", [other], resource_id="uuid-b")
    assert moved["location"] == other and moved["reserved"] is False
    assert moved["resource_id"] == "uuid-b"
    assert placement(engine_api, "orch-b") == moved


@both_modes
def test_reserve_on_a_full_host_is_409_and_changes_nothing(engine_api, plan):
    full = call(engine_api, "POST", "/v1/plans", plan_body("s2", server("big", "large")),
                status=201).json["plan"]["placements"]["orch-big"]["location"]
    before = placement(engine_api, "orch-a")
    assert_error(call(engine_api, "POST", "/v1/placements/orch-a",
                      {"action": "reserve", "locations": [full]}), 409)
    assert placement(engine_api, "orch-a") == before


@both_modes
def test_release_frees_the_placement(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", *servers("big", 4, "large")),
         status=201)
    body = plan_body("s2", server("more", "large"))
    assert_error(call(engine_api, "POST", "/v1/plans", body), 409)
    assert call(engine_api, "DELETE", "/v1/placements/orch-big1", status=204).body == b""
    assert_error(call(engine_api, "GET", "/v1/placements/orch-big1"), 404)
    left = call(engine_api, "GET", "/v1/plans/s1").json["plan"]["placements"]
    assert set(left) == {"orch-big2", "orch-big3", "orch-big4"}
    call(engine_api, "POST", "/v1/plans", body, status=201)


@both_modes
@pytest.mark.parametrize("method, body", [
    ("GET", None),
    ("POST", {"action": "reserve", "locations": list(HOSTS)}),
    ("POST", {"action": "replan", "locations": list(HOSTS)}),
    ("DELETE", None),
])
def test_unknown_placements_are_404(engine_api, plan, method, body):
    assert_error(call(engine_api, method, "/v1/placements/nope", body), 404, "nope")


@pytest.mark.parametrize("body, field", [
    ({"action": 5, "locations": ["r1-h1"]}, "action"),
    ({"action": "keep", "locations": ["r1-h1"]}, "action"),
    ({"action": "reserve"}, "locations"),
    ({"action": "reserve", "locations": "r1-h1"}, "locations"),
    ({"action": "reserve", "locations": [1]}, "locations"),
    ({"action": "reserve", "locations": [""]}, "locations"),
    ({"action": "replan", "locations": []}, "locations"),
    ({"action": "reserve", "locations": ["r1-h1"], "resource_id": 5}, "resource_id"),
    ({"action": "reserve", "locations": ["r1-h1"], "colour": "red"}, "colour"),
    ("{oops", "JSON"),
    ("[]", "object"),
])
def test_bad_action_bodies_are_400_naming_the_field(engine_api, plan, body, field):
    before = placement(engine_api, "orch-a")
    assert_error(call(engine_api, "POST", "/v1/placements/orch-a", body), 400, field)
    assert placement(engine_api, "orch-a") == before


# -- one call for Nova's filter: fallback ids and an ad hoc server -------------

@both_modes
def test_reserve_plans_an_adhoc_server_when_no_id_names_a_placement(engine_api):
    _, entry = server("vm")
    shown = act(engine_api, "uuid-vm", "reserve", HOSTS[1:3], resource_id="uuid-vm",
                fallback_ids=["also-not-there"],
                adhoc={"resource": entry, "name": "nova-uuid-vm"})
    assert shown["id"] == "uuid-vm" and shown["reserved"] is True
    assert shown["location"] in HOSTS[1:3] and shown["resource_id"] == "uuid-vm"
    plan = call(engine_api, "GET", "/v1/plans/uuid-vm", status=200).json["plan"]
    assert plan["name"] == "nova-uuid-vm" and set(plan["placements"]) == {"uuid-vm"}
    # The same request again (a retry) reserves the same placement: one plan.
    again = act(engine_api, "uuid-vm", "reserve", HOSTS[1:3], resource_id="uuid-vm",
                adhoc={"resource": entry})
    assert again["location"] == shown["location"]
    assert len(call(engine_api, "GET", "/v1/plans", status=200).json["plans"]) == 1


@both_modes
def test_reserve_finds_the_placement_by_a_fallback_id(engine_api, plan):
    host = plan["placements"]["orch-a"]["location"]
    _, entry = server("unused")
    shown = act(engine_api, "heat-id-nobody-knows", "reserve", [host], resource_id="vm-a",
                fallback_ids=["orch-a"], adhoc={"resource": entry})
    assert shown["id"] == "orch-a" and shown["reserved"] is True
    assert len(call(engine_api, "GET", "/v1/plans", status=200).json["plans"]) == 1


def test_an_unknown_id_without_adhoc_is_still_404(engine_api):
    response = call(engine_api, "POST", "/v1/placements/nobody",
                    {"action": "reserve", "locations": HOSTS, "fallback_ids": ["nor-me"]})
    assert_error(response, 404, "nobody")


@pytest.mark.parametrize("fields, named", [
    ({"adhoc": {"resource": "vm"}, "resource_id": "x"}, "adhoc.resource"),
    ({"adhoc": {"resource": {}}}, "resource_id"),
    ({"adhoc": {"resource": {}, "flavor": "x"}, "resource_id": "x"}, "flavor"),
    ({"adhoc": [], "resource_id": "x"}, "adhoc"),
    ({"fallback_ids": "x"}, "fallback_ids"),
    ({"action": "replan", "fallback_ids": ["x"]}, "reserve"),
])
def test_bad_adhoc_fields_are_400_naming_them(engine_api, fields, named):
    body = {"action": "reserve", "locations": HOSTS, **fields}
    assert_error(call(engine_api, "POST", "/v1/placements/x", body), 400, named)


def test_a_post_without_action_is_a_reserve_as_in_the_original_api(engine_api):
    planned = call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")),
                   status=201).json["plan"]["placements"]["orch-a"]
    reserved = call(engine_api, "POST", "/v1/placements/orch-a",
                    {"locations": [planned["location"]], "resource_id": "nova-a"},
                    status=201).json["placement"]
    assert reserved["reserved"] is True and reserved["resource_id"] == "nova-a"
    assert reserved["location"] == planned["location"]
