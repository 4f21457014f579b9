"""The engine client's commit loop (valet_api/engine_client.py, DESIGN §6):
two apps on one database are two API workers; the store is the truth."""

import collections

import pytest

from ostro import snapshot, verify
from ostro.config import EngineSettings
from ostro.errors import NoPlacement
from ostro.inventory import file as inventory_file
from ostro.state.store import Store
from tests.api import engine_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOST_SIZE, HOSTS, engine_conf, plan_body, server, servers
from valet_api import engine_client, errors

#: Every new URI and the verbs it answers (besides OPTIONS).
URIS = {
    "/v1/plans": ["GET", "POST"],
    "/v1/plans/s1": ["GET", "PUT", "DELETE"],
    "/v1/placements": ["GET"],
    "/v1/placements/orch-a": ["GET", "POST", "DELETE"],
}
VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
FLAVOR_VCPUS = {"small": 1, "half": 2, "large": 4}


@pytest.fixture
def two_apps(empty_url, inventory):
    with engine_cases.engine_api(empty_url, inventory) as first, \
            engine_cases.engine_api(empty_url, inventory, upgrade=False) as second:
        yield first, second


@pytest.mark.parametrize("uri", URIS)
def test_options_lists_the_verbs(engine_api, uri):
    response = call(engine_api, "OPTIONS", uri, status=204)
    assert response.headers["Allow"] == ", ".join([*URIS[uri], "OPTIONS"])


@pytest.mark.parametrize("uri, verb", [(uri, verb) for uri in URIS for verb in VERBS
                                       if verb not in URIS[uri]])
def test_other_verbs_are_405(engine_api, uri, verb):
    response = call(engine_api, verb, uri)
    assert response.status_int == 405
    assert response.headers["Allow"] == ", ".join([*URIS[uri], "OPTIONS"])
    if verb != "HEAD":
        assert_error(response, 405, verb)


@pytest.mark.parametrize("uri", ["/v1/plans/s1/more", "/v1/placements/orch-a/x"])
def test_deeper_uris_are_404(engine_api, uri):
    assert_error(call(engine_api, "GET", uri), 404)


def test_a_second_app_sees_the_first_apps_plan(two_apps):
    first, second = two_apps
    plan = call(first, "POST", "/v1/plans", plan_body("s1", server("a")),
                status=201).json["plan"]
    assert call(second, "GET", f"/v1/plans/{plan['id']}", status=200).json == {"plan": plan}
    # The same stack through the other worker is still the one plan.
    again = call(second, "POST", "/v1/plans", plan_body("s1", server("a")),
                 status=201).json["plan"]
    assert again == plan
    call(second, "DELETE", "/v1/plans/s1", status=204)
    assert_error(call(first, "GET", "/v1/plans/s1"), 404)
    assert call(first, "GET", "/v1/placements").json == {"placements": []}


def test_two_apps_planning_in_turn_never_overcommit(two_apps, empty_url, inventory):
    apps = two_apps
    made, refused = 0, 0
    for number in range(12):
        api = apps[number % 2]
        flavor = ("half", "large", "small")[number % 3]
        response = call(api, "POST", "/v1/plans",
                        plan_body(f"s{number}", *servers(f"n{number}-", 2, flavor)))
        assert response.status_int in (201, 409), response.text
        made += response.status_int == 201
        refused += response.status_int == 409
    assert made and refused
    store = Store(empty_url)
    try:
        data, _ = store.load()
    finally:
        store.close()
    assert len(data["plans"]) == made
    dc = inventory_file.load(inventory)
    engine = snapshot.load(dc, data, EngineSettings())
    assert verify.check(dc, engine.placements.values(), settings=engine.settings) == []
    used = collections.Counter()
    for placement in engine.placements.values():
        used[placement.location] += FLAVOR_VCPUS[_flavor_of(data, placement.orch_id)]
    assert set(used) <= set(HOSTS)
    assert all(vcpus <= HOST_SIZE["vcpus"] for vcpus in used.values()), used
    # Both workers agree on what is placed.
    for api in apps:
        assert len(call(api, "GET", "/v1/placements").json["placements"]) == 2 * made


def _flavor_of(data, orch_id):
    for plan in data["plans"]:
        if orch_id in plan["resources"]:
            return plan["resources"][orch_id]["properties"]["flavor"]
    raise AssertionError(orch_id)


def test_a_group_change_rebuilds_the_cache(engine_api):
    # The cache exists before the group does; the group moves the generation.
    assert call(engine_api, "GET", "/v1/plans", status=200).json == {"plans": []}
    call(engine_api, "POST", "/v1/groups", {"name": "web", "type": "diversity",
                                            "level": "host"}, status=201)
    plan = call(engine_api, "POST", "/v1/plans", plan_body(
        "s1", *[server(f"w{n}", metadata={"valet": {"groups": ["web"]}})
                for n in range(1, 5)]), status=201).json["plan"]
    assert len({entry["location"] for entry in plan["placements"].values()}) == 4
    body = plan_body("s2", server("w5", metadata={"valet": {"groups": ["web"]}}))
    assert_error(call(engine_api, "POST", "/v1/plans", body), 409, "web")


# -- the commit loop itself ------------------------------------------------------------

@pytest.fixture
def stores(engine_api, empty_url):
    opened = [Store(empty_url), Store(empty_url)]
    yield opened
    for store in opened:
        store.close()


def test_a_conflict_replans_on_the_fresh_snapshot(stores, empty_url, inventory):
    conf = engine_conf(empty_url, inventory)
    mine, theirs = (engine_client.LocalEngine(conf, store) for store in stores)
    resources = dict(servers("big", 3, "large"))
    attempts = []

    def plan(engine):
        attempts.append(len(engine.plans))
        if len(attempts) == 1:
            # Another worker commits between this snapshot and its save.
            theirs.run(lambda other: other.plan(dict([server("x", "large")]), stack_id="x"))
        return engine.plan(resources, stack_id="mine")

    made = mine.run(plan)
    assert attempts == [0, 1]
    data, generation = stores[0].load()
    assert generation == 2 and {p["stack_id"] for p in data["plans"]} == {"x", "mine"}
    hosts = {p["location"] for p in data["placements"]}
    assert hosts == set(HOSTS) and set(made.placements) == set(resources)


def test_endless_conflicts_give_up_with_503(stores, empty_url, inventory):
    conf = engine_conf(empty_url, inventory)
    mine = engine_client.LocalEngine(conf, stores[0], attempts=3)
    calls = []

    def plan(engine):
        calls.append(1)
        stores[1].create_group(f"g{len(calls)}", "affinity", "host")
        return engine.plan(dict([server("a")]), stack_id="a")

    with pytest.raises(errors.ServiceUnavailable) as caught:
        mine.run(plan)
    assert len(calls) == 3 and "3 attempts" in caught.value.message
    assert stores[0].load()[0]["plans"] == []


def test_refusals_pass_through_and_save_nothing(stores, empty_url, inventory):
    conf = engine_conf(empty_url, inventory)
    mine = engine_client.LocalEngine(conf, stores[0])
    generation = stores[0].generation()
    with pytest.raises(NoPlacement):
        mine.run(lambda e: e.plan(dict(servers("big", 5, "large")), stack_id="s"))
    assert stores[0].generation() == generation
    assert mine.read(lambda e: len(e.plans)) == 0


def test_a_missing_inventory_is_503(api):
    body = assert_error(call(api, "GET", "/v1/plans"), 503, "inventory")
    assert body["error"]["type"] == "ServiceUnavailable"


def test_rpc_mode_is_503_for_now(empty_url, inventory):
    conf = engine_conf(empty_url, inventory)
    conf.set_override("mode", "rpc", "engine")
    client = engine_client.for_conf(conf, None)
    with pytest.raises(errors.ServiceUnavailable, match="rpc"):
        client.run(lambda e: None)
