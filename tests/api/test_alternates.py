"""What Nova's filter needs beyond one host (doc/openstack.md "Nova"): a
reserve's alternates (hosts where the server could go instead, every rule
of its plan kept) and a multi-create request planned as one plan."""

import pytest

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, group, plan_body, server
from tests.api.rpc_cases import both_modes


def reserve(api, key, locations=HOSTS, **fields):
    return call(api, "POST", f"/v1/placements/{key}",
                {"action": "reserve", "locations": list(locations), **fields},
                status=201).json["placement"]


def rack(host):
    return host.split("-")[0]


@both_modes
def test_alternates_keep_the_plans_rules(engine_api):
    # Rack diversity: a and b on different racks; a's alternates are the
    # other host of its own rack only (b's rack is taken by the rule).
    body = plan_body("s1", server("a"), server("b"),
                     group("apart", "diversity", "rack", ["a", "b"]))
    planned = call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]
    where = {orch: placed["location"] for orch, placed in planned["placements"].items()}
    shown = reserve(engine_api, "orch-a", resource_id="vm-a", alternates=3)
    assert shown["location"] == where["orch-a"]
    same_rack = [host for host in HOSTS if rack(host) == rack(where["orch-a"])
                 and host != where["orch-a"]]
    assert shown["alternates"] == same_rack
    # b is not yet reserved: its host is where the request's other server goes.
    assert shown["siblings"] == [where["orch-b"]]
    # Without the rule every other host would do (the control).
    free = call(engine_api, "POST", "/v1/plans", plan_body("s2", server("c")),
                status=201).json["plan"]
    alternates = reserve(engine_api, "orch-c", resource_id="vm-c", alternates=5)["alternates"]
    assert sorted(alternates) == sorted(set(HOSTS) - {free["placements"]["orch-c"]["location"]})


def test_alternates_are_among_the_locations_and_as_many_as_asked(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")), status=201)
    shown = reserve(engine_api, "orch-a", HOSTS[:3], resource_id="vm-a", alternates=1)
    assert len(shown["alternates"]) == 1
    assert shown["alternates"][0] in HOSTS[:3] and shown["alternates"][0] != shown["location"]
    # A full host is no alternate: "large" fills a host.
    call(engine_api, "POST", "/v1/plans", plan_body(
        "s2", *(server(f"big{n}", "large") for n in range(2))), status=201)
    shown = reserve(engine_api, "orch-a", HOSTS, resource_id="vm-a", alternates=5)
    assert len(shown["alternates"]) == 1
    assert "alternates" not in reserve(engine_api, "orch-a", HOSTS, resource_id="vm-a")


@both_modes
def test_a_multi_create_request_is_one_plan_each_instance_reserving_its_server(engine_api):
    call(engine_api, "POST", "/v1/groups", {"name": "trio", "type": "diversity",
                                            "level": "host"}, status=201)
    _, entry = server("vm", metadata={"valet": {"groups": ["trio"]}})
    adhoc = {"resource": entry, "count": 3, "request_id": "req-1"}
    hosts = []
    for number in range(3):
        shown = reserve(engine_api, f"vm-{number}", resource_id=f"vm-{number}",
                        adhoc=adhoc, alternates=2)
        assert shown["resource_id"] == f"vm-{number}" and shown["reserved"] is True
        assert shown["location"] not in hosts
        # The request's instances still to come go to the siblings' hosts.
        assert len(shown["siblings"]) == 2 - number
        assert not set(shown["siblings"]) & {*hosts, shown["location"]}
        hosts.append(shown["location"])
    plans = call(engine_api, "GET", "/v1/plans", status=200).json["plans"]
    assert [plan["stack_id"] for plan in plans] == ["req-1"]
    # A retry of an instance finds its own placement again (by resource id).
    again = reserve(engine_api, "vm-1", resource_id="vm-1", adhoc=adhoc)
    assert again["location"] == hosts[1]
    # A fourth instance of a three-instance request finds no server left.
    response = call(engine_api, "POST", "/v1/placements/vm-3",
                    {"action": "reserve", "locations": list(HOSTS), "resource_id": "vm-3",
                     "adhoc": adhoc})
    assert_error(response, 404, "vm-3")


@pytest.mark.parametrize("fields, named", [
    ({"alternates": -1}, "alternates"),
    ({"alternates": 21}, "alternates"),
    ({"alternates": "2"}, "alternates"),
    ({"alternates": True}, "alternates"),
    ({"action": "replan", "alternates": 2}, "reserve"),
    ({"resource_id": "x", "adhoc": {"resource": server("a")[1], "count": 0}}, "adhoc.count"),
    ({"resource_id": "x", "adhoc": {"resource": server("a")[1], "count": 1001}},
     "adhoc.count"),
    ({"resource_id": "x", "adhoc": {"resource": server("a")[1], "request_id": 5}},
     "adhoc.request_id"),
])
def test_bad_alternates_and_counts_are_400_naming_them(engine_api, fields, named):
    response = call(engine_api, "POST", "/v1/placements/x",
                    {"action": "reserve", "locations": list(HOSTS), **fields})
    assert_error(response, 400, named)


def host_used(api, host):
    return call(api, "GET", f"/v1/hosts/{host}", status=200).json["host"]["used"]


@both_modes
def test_a_reserve_with_another_flavor_is_a_resize_the_plan_takes(engine_api):
    # Two "half" servers fill one host; a's host also holds b.
    call(engine_api, "POST", "/v1/plans", plan_body(
        "s1", server("a", "half"), server("b", "half"),
        group("together", "affinity", "host", ["a", "b"])), status=201)
    start = reserve(engine_api, "orch-a", resource_id="vm-a")["location"]
    # The same flavor is no resize: a stays, nothing re-planned.
    assert reserve(engine_api, "orch-a", resource_id="vm-a", flavor="half")["location"] == start
    # Resized to "small" the host holds it: it stays, counted at its new size.
    shown = reserve(engine_api, "orch-a", resource_id="vm-a", flavor="small")
    assert shown["location"] == start and shown["reserved"] is True
    assert host_used(engine_api, start)["vcpus"] == 1 + 2
    # Resized back (a revert), then to "large": the host cannot hold it with
    # b, and affinity keeps them together, so the resize is refused by name.
    reserve(engine_api, "orch-a", resource_id="vm-a", flavor="half")
    assert host_used(engine_api, start)["vcpus"] == 4
    response = call(engine_api, "POST", "/v1/placements/orch-a",
                    {"action": "reserve", "locations": list(HOSTS), "resource_id": "vm-a",
                     "flavor": "large"})
    assert_error(response, 409, "affinity")
    assert host_used(engine_api, start)["vcpus"] == 4          # nothing changed


def test_a_resize_off_a_full_host_moves_the_server(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a"), server("b", "large")),
         status=201)
    start = reserve(engine_api, "orch-a", resource_id="vm-a")["location"]
    # Nova offers every host but the source (a resize to another host).
    others = [host for host in HOSTS if host != start]
    shown = reserve(engine_api, "vm-a", others, resource_id="vm-a", flavor="half")
    assert shown["location"] in others and shown["id"] == "orch-a"
    assert host_used(engine_api, shown["location"])["vcpus"] == 2
    assert host_used(engine_api, start)["vcpus"] in (0, 4)      # only b's, if b is there
