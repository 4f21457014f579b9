"""A server's Heat scheduler hints are its placement's ``metadata`` (as the
original Valet stored them): placements are searched by them, and a Nova
boot carrying them but no ``heat_resource_uuid`` finds its planned
placement through them instead of a second, ad hoc, plan."""

import pytest

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, plan_body, server
from tests.api.rpc_cases import both_modes

WEB = {"tier": "web", "zones": ["a", "b"]}


def hinted(name, hints):
    return server(name, scheduler_hints=hints)


def placements(api, query=""):
    listed = call(api, "GET", f"/v1/placements{query}", status=200).json["placements"]
    return sorted(placement["orchestration_id"] for placement in listed)


@both_modes
def test_hints_are_the_metadata_and_placements_are_found_by_them(engine_api):
    call(engine_api, "POST", "/v1/plans",
         plan_body("s1", hinted("web1", WEB), hinted("db", {"tier": "db"}), server("plain")),
         status=201)
    shown = call(engine_api, "GET", "/v1/placements/orch-web1", status=200).json["placement"]
    assert shown["metadata"] == WEB
    assert call(engine_api, "GET", "/v1/placements/orch-plain",
                status=200).json["placement"]["metadata"] == {}
    assert placements(engine_api, "?tier=web") == ["orch-web1"]
    assert placements(engine_api, "?tier=db") == ["orch-db"]
    assert placements(engine_api, "?tier=cache") == []
    # With the placement's own fields too.
    assert placements(engine_api, "?tier=web&name=web1") == ["orch-web1"]
    assert placements(engine_api, "?tier=web&name=db") == []


@both_modes
def test_a_boot_with_the_hints_but_no_heat_id_reserves_the_planned_placement(engine_api):
    planned = call(engine_api, "POST", "/v1/plans",
                   plan_body("s1", hinted("web1", WEB), hinted("web2", WEB)),
                   status=201).json["plan"]["placements"]
    _, entry = server("vm")
    found = []
    for number in range(2):
        # What Nova's filter sends for a boot without heat_resource_uuid:
        # its instance uuid, its scheduler hints (and nova's own), ad hoc.
        shown = call(engine_api, "POST", f"/v1/placements/vm-{number}", {
            "action": "reserve", "locations": list(HOSTS), "resource_id": f"vm-{number}",
            "hints": {**WEB, "group": "nova-server-group"},
            "adhoc": {"resource": entry}}, status=201).json["placement"]
        assert shown["reserved"] is True and shown["resource_id"] == f"vm-{number}"
        assert shown["location"] == planned[shown["id"]]["location"]
        found.append(shown["id"])
    assert sorted(found) == ["orch-web1", "orch-web2"]
    # No second plan counted their capacity twice.
    assert len(call(engine_api, "GET", "/v1/plans", status=200).json["plans"]) == 1
    # A third boot with the same hints finds none left: planned ad hoc.
    third = call(engine_api, "POST", "/v1/placements/vm-3", {
        "action": "reserve", "locations": list(HOSTS), "resource_id": "vm-3",
        "hints": WEB, "adhoc": {"resource": entry}}, status=201).json["placement"]
    assert third["id"] == "vm-3"
    assert len(call(engine_api, "GET", "/v1/plans", status=200).json["plans"]) == 2


def test_hints_that_only_partly_match_find_nothing(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", hinted("web1", WEB)), status=201)
    response = call(engine_api, "POST", "/v1/placements/vm-1", {
        "action": "reserve", "locations": list(HOSTS), "resource_id": "vm-1",
        "hints": {"tier": "web"}})          # the placement's zones hint is missing
    assert_error(response, 404, "vm-1")


@pytest.mark.parametrize("path, body, named", [
    ("/v1/plans", plan_body("s1", hinted("web1", "tier=web")), "scheduler_hints"),
    ("/v1/plans", plan_body("s1", hinted("web1", {"tier": 5})), "tier"),
    ("/v1/placements/x", {"action": "reserve", "locations": ["r1-h1"], "hints": "tier"},
     "hints"),
    ("/v1/placements/x", {"action": "reserve", "locations": ["r1-h1"], "hints": {"t": [1]}},
     "hints.t"),
    ("/v1/placements/x", {"action": "replan", "locations": ["r1-h1"], "hints": {"t": "v"}},
     "reserve"),
])
def test_bad_hints_are_400_naming_them(engine_api, path, body, named):
    assert_error(call(engine_api, "POST", path, body), 400, named)
