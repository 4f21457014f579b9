"""``/v1/hosts``, ``/v1/resources`` and TTL expiry over a real SQLite store
and a small inventory (DESIGN §4, §6)."""

import contextlib
import copy
import time

import pytest
import yaml

from ostro.state import migrate
from tests.api import conformance, engine_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOST_SIZE, HOSTS, group, plan_body, server
from tests.api.rpc_cases import both_modes
from valet_api import app as valet_app

HOST_FIELDS = {"name", "rack", "cluster", "availability_zone", "enabled", "aggregates",
               "capacity", "used", "uplink_mbps", "bandwidth_used_mbps", "groups",
               "placements"}
NOTHING = {"vcpus": 0, "memory_mb": 0, "disk_gb": 0}


@contextlib.contextmanager
def ttl_api(url, inventory, **ttls):
    """The app with ``[engine]`` TTLs overridden."""
    migrate.upgrade(url)
    conf = engine_cases.engine_conf(url, inventory)
    for name, seconds in ttls.items():
        conf.set_override(name, seconds, "engine")
    app = valet_app.setup_app(conf=conf)
    try:
        yield conformance.CheckedApp(app)
    finally:
        app.store.close()


def hosts(api):
    listed = call(api, "GET", "/v1/hosts", status=200).json
    assert set(listed) == {"hosts"}
    return {host["name"]: host for host in listed["hosts"]}


def host(api, name):
    shown = call(api, "GET", f"/v1/hosts/{name}", status=200).json
    assert set(shown) == {"host"}
    return shown["host"]


def plan(api, stack_id, *resources):
    body = plan_body(stack_id, *resources)
    return call(api, "POST", "/v1/plans", body, status=201).json["plan"]


# -- hosts -----------------------------------------------------------------

def test_hosts_before_any_plan(engine_api):
    listed = hosts(engine_api)
    assert sorted(listed) == sorted(HOSTS)
    for name, shown in listed.items():
        assert set(shown) == HOST_FIELDS
        assert shown == {"name": name, "rack": name.split("-")[0], "cluster": "c1",
                         "availability_zone": "nova", "enabled": True, "aggregates": [],
                         "capacity": HOST_SIZE, "used": NOTHING, "uplink_mbps": None,
                         "bandwidth_used_mbps": 0, "groups": [], "placements": []}
        assert host(engine_api, name) == shown


@both_modes
def test_a_plan_shows_as_usage_groups_and_placements(engine_api):
    made = plan(engine_api, "s1", server("a", "half"), server("b"),
                group("web", "affinity", "host", ["a", "b"]))
    where = made["placements"]["orch-a"]["location"]
    assert made["placements"]["orch-b"]["location"] == where
    shown = host(engine_api, where)
    assert shown["capacity"] == HOST_SIZE
    assert shown["used"] == {"vcpus": 3, "memory_mb": 3072, "disk_gb": 30}
    assert shown["groups"] == ["web"]
    assert shown["placements"] == ["orch-a", "orch-b"]
    assert hosts(engine_api)[where] == shown
    for other, listed in hosts(engine_api).items():
        if other != where:
            assert listed["used"] == NOTHING and listed["placements"] == []


def test_used_grows_by_the_flavor_on_the_planned_host(engine_api):
    first = plan(engine_api, "s1", server("a"))["placements"]["orch-a"]["location"]
    before = host(engine_api, first)["used"]["vcpus"]
    second = plan(engine_api, "s2", server("b", "half"))["placements"]["orch-b"]["location"]
    after = hosts(engine_api)
    grown = after[second]["used"]["vcpus"]
    assert grown == (before if second == first else 0) + 2
    assert sum(h["used"]["vcpus"] for h in after.values()) == 3


@both_modes
def test_unknown_host_is_404(engine_api):
    assert_error(call(engine_api, "GET", "/v1/hosts/nope"), 404, "nope")


@both_modes
# -- resources -------------------------------------------------------------

def test_resources_are_empty_when_all_is_well(engine_api):
    assert call(engine_api, "GET", "/v1/resources", status=200).json == {"resources": {}}
    plan(engine_api, "s1", server("a"), server("b", "half"),
         group("apart", "diversity", "host", ["a", "b"]))
    assert call(engine_api, "GET", "/v1/resources", status=200).json == {"resources": {}}


def test_a_shrunken_host_reports_its_server(engine_api, empty_url, tmp_path):
    made = plan(engine_api, "s1", server("a", "half"), server("b", "large"))
    where = made["placements"]["orch-a"]["location"]
    call(engine_api, "POST", "/v1/placements/orch-a",
         {"action": "reserve", "locations": [where], "resource_id": "uuid-a"}, status=201)
    smaller = copy.deepcopy(engine_cases.INVENTORY)
    for entry in smaller["hosts"]:
        if entry["name"] == where:
            entry["vcpus"] = 1
    (tmp_path / "small").mkdir()
    path = tmp_path / "small" / "inventory.yaml"
    path.write_text(yaml.safe_dump(smaller))
    with engine_cases.engine_api(empty_url, path, upgrade=False) as shrunk:
        found = call(shrunk, "GET", "/v1/resources", status=200).json
        assert found == {"resources": {"uuid-a": {
            "type": "OS::Nova::Server", "status": "violation",
            "message": f"host {where} vcpus: 2 used > 1 capacity (a does not fit)"}}}
        assert host(shrunk, where)["capacity"]["vcpus"] == 1
    # The first app still reads the old data centre: nothing is wrong there.
    assert call(engine_api, "GET", "/v1/resources", status=200).json == {"resources": {}}


def test_a_disabled_host_reports_every_server_on_it(engine_api, empty_url, tmp_path):
    made = plan(engine_api, "s1", server("a"))
    where = made["placements"]["orch-a"]["location"]
    changed = copy.deepcopy(engine_cases.INVENTORY)
    for entry in changed["hosts"]:
        if entry["name"] == where:
            entry["enabled"] = False
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    with engine_cases.engine_api(empty_url, path, upgrade=False) as other:
        found = call(other, "GET", "/v1/resources", status=200).json["resources"]
        assert found == {"orch-a": {"type": "OS::Nova::Server", "status": "violation",
                                    "message": f"server a: host {where} is disabled"}}
        assert host(other, where)["enabled"] is False


# -- expiry ----------------------------------------------------------------

def test_expired_placements_are_released_by_the_next_write(empty_url, inventory):
    with ttl_api(empty_url, inventory, planned_ttl=1, reserved_ttl=3600) as api:
        made = plan(api, "s1", server("a"), server("b"))
        where = made["placements"]["orch-a"]["location"]
        call(api, "POST", "/v1/placements/orch-a",
             {"action": "reserve", "locations": [where]}, status=201)
        time.sleep(1.2)
        # Reads never expire (they never save).
        assert {p["orchestration_id"] for p in
                call(api, "GET", "/v1/placements", status=200).json["placements"]} == \
            {"orch-a", "orch-b"}
        plan(api, "s2", server("c"))
        left = {p["orchestration_id"] for p in
                call(api, "GET", "/v1/placements", status=200).json["placements"]}
        assert left == {"orch-a", "orch-c"}
        assert set(call(api, "GET", "/v1/plans/s1").json["plan"]["placements"]) == {"orch-a"}
        used = sum(h["used"]["vcpus"] for h in hosts(api).values())
        assert used == 2
    # The release was saved: a fresh app over the same database sees it.
    with engine_cases.engine_api(empty_url, inventory, upgrade=False) as fresh:
        left = {p["orchestration_id"] for p in
                call(fresh, "GET", "/v1/placements", status=200).json["placements"]}
        assert left == {"orch-a", "orch-c"}


def test_a_refused_write_still_leaves_expiry_consistent(empty_url, inventory):
    with ttl_api(empty_url, inventory, planned_ttl=1) as api:
        plan(api, "s1", server("a"))
        time.sleep(1.2)
        assert_error(call(api, "DELETE", "/v1/placements/nope"), 404)
        # Refused: nothing saved, and the cache shows what the store holds.
        assert [p["orchestration_id"] for p in
                call(api, "GET", "/v1/placements", status=200).json["placements"]] == \
            ["orch-a"]
        plan(api, "s2", server("b"))
        assert [p["orchestration_id"] for p in
                call(api, "GET", "/v1/placements", status=200).json["placements"]] == \
            ["orch-b"]


# -- routing ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/hosts", "/v1/hosts/r1-h1", "/v1/resources"])
def test_options_and_405(engine_api, path):
    response = call(engine_api, "OPTIONS", path, status=204)
    assert response.headers["Allow"] == "GET, OPTIONS"
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        refused = call(engine_api, method, path, {})
        assert_error(refused, 405)
        assert refused.headers["Allow"] == "GET, OPTIONS"


def test_below_resources_is_404(engine_api):
    assert_error(call(engine_api, "GET", "/v1/resources/x"), 404)


# -- pipes -----------------------------------------------------------------

def pipe(name, first, second, bandwidth):
    return f"orch-{name}", {"type": "ATT::QoS::Pipe", "name": name,
                            "properties": {"resources": [first, second],
                                           "bandwidth": bandwidth}}


def uplinks(path, mbps):
    """An inventory whose every host has a ``mbps`` uplink."""
    changed = copy.deepcopy(engine_cases.INVENTORY)
    for entry in changed["hosts"]:
        entry["uplink_mbps"] = mbps
    path.write_text(yaml.safe_dump(changed))
    return path


def test_pipes_show_as_bandwidth_and_break_a_narrower_uplink(empty_url, tmp_path):
    wide = uplinks(tmp_path / "wide.yaml", 1000)
    with engine_cases.engine_api(empty_url, wide) as api:
        made = plan(api, "s1", server("a"), server("b"),
                    group("apart", "diversity", "host", ["a", "b"]),
                    pipe("link", "a", "b", 300))
        ends = {made["placements"][o]["location"] for o in ("orch-a", "orch-b")}
        assert len(ends) == 2
        for name, shown in hosts(api).items():
            assert shown["uplink_mbps"] == 1000
            assert shown["bandwidth_used_mbps"] == (300 if name in ends else 0)
        assert call(api, "GET", "/v1/resources", status=200).json == {"resources": {}}
    narrow = uplinks(tmp_path / "narrow.yaml", 200)
    with engine_cases.engine_api(empty_url, narrow, upgrade=False) as api:
        found = call(api, "GET", "/v1/resources", status=200).json["resources"]
        assert set(found) == {"orch-a", "orch-b"}
        for orch_id, shown in found.items():
            where = made["placements"][orch_id]["location"]
            assert shown["status"] == "violation"
            assert shown["message"] == (f"host {where} uplink: 300 Mbps needed > 200 Mbps "
                                        "(pipes link)")
