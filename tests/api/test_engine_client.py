"""The engine client (valet_api/engine_client.py) and the engine replica's
serialized commits (ostro/replica/cache.py, DESIGN §6): two apps on one
database are two API workers; the store is the truth."""

import collections
import threading

import pytest
from sqlalchemy import delete

from ostro.config import EngineSettings
from ostro.errors import NoPlacement
from ostro.inventory import file as inventory_file
from ostro.operations import Operations
from ostro.replica import records
from ostro.replica.cache import Replica
from ostro.state import models
from ostro.state.store import Store
from ostro.verify import checker
from tests.api import engine_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOST_SIZE, HOSTS, plan_body, server, servers
from tests.unit.engine_fixtures import assert_same_state
from tests.unit.engine_fixtures import snapshot as search_state
from tests.unit.store_cases import ordered

FLAVOR_VCPUS = {"small": 1, "half": 2, "large": 4}


@pytest.fixture
def two_apps(empty_url, inventory):
    with engine_cases.engine_api(empty_url, inventory) as first, \
            engine_cases.engine_api(empty_url, inventory, upgrade=False) as second:
        yield first, second


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
    engine = records.load(dc, data, EngineSettings())
    assert checker.check(dc, engine.placements.values(), settings=engine.settings) == []
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


# -- the serialized commit and the cache (ostro/replica/cache.py) ------------------------

@pytest.fixture
def stores(engine_api, empty_url):
    opened = [Store(empty_url), Store(empty_url)]
    yield opened
    for store in opened:
        store.close()


def replica_of(store, inventory):
    dc = inventory_file.load(inventory)
    return Replica(store, lambda: dc, EngineSettings())


def test_a_writer_waits_for_the_one_holding_the_lock_and_sees_its_commit(stores, inventory):
    mine, theirs = (replica_of(store, inventory) for store in stores)
    inside, go_on = threading.Event(), threading.Event()
    seen = []

    def slow_plan(engine):
        inside.set()
        go_on.wait(30)
        return engine.plan(dict(servers("x", 2, "large")), stack_id="x")

    def their_plan(engine):
        seen.append(sorted(p.stack_id for p in engine.plans.values()))
        return engine.plan(dict(servers("big", 2, "large")), stack_id="mine")

    other = threading.Thread(target=theirs.write, args=(slow_plan,))
    other.start()
    assert inside.wait(30)
    waiting = threading.Thread(target=mine.write, args=(their_plan,))
    waiting.start()
    waiting.join(0.5)
    # NOTE: still blocked on the lock: it has not even looked at the engine.
    assert waiting.is_alive() and seen == []
    go_on.set()
    other.join(30)
    waiting.join(30)
    assert seen == [["x"]]
    data, generation = stores[0].load()
    assert generation == 2 and {p["stack_id"] for p in data["plans"]} == {"x", "mine"}
    assert {p["location"] for p in data["placements"]} == set(HOSTS)


def test_a_cache_replays_the_other_workers_changes_to_the_stored_state(stores, inventory):
    mine, theirs = (replica_of(store, inventory) for store in stores)
    ops = Operations(theirs)
    mine.read(lambda engine: None)
    first = mine._engine
    ops.create_plan(dict(servers("a", 2)), "s1")
    ops.create_plan(dict(servers("b", 2, "half")), "s2")
    orch = next(iter(dict(servers("a", 2))))
    ops.reserve(orch, list(HOSTS), resource_id="nova-1")
    ops.update_plan("s2", dict(servers("b", 3, "half")))
    ops.delete_plan("s1")
    replayed = mine.read(lambda engine: engine)
    # Replayed, not reloaded: the same engine object, now equal to the store.
    assert replayed is first
    data, _ = stores[0].load()
    fresh = records.load(inventory_file.load(inventory), data, EngineSettings())
    assert ordered(records.dump(replayed)) == ordered(records.dump(fresh))
    assert_same_state(search_state(replayed), search_state(fresh))


def test_a_cache_too_far_behind_reloads(stores, inventory, monkeypatch):
    mine, theirs = (replica_of(store, inventory) for store in stores)
    mine.read(lambda engine: None)
    Operations(theirs).create_plan(dict(servers("a", 1)), "s1")
    with stores[0].db.begin() as connection:
        connection.execute(delete(models.Change.__table__))
    assert [p.stack_id for p in mine.read(lambda engine: list(engine.plans.values()))] == ["s1"]


def test_refusals_pass_through_and_store_nothing(stores, inventory):
    mine = replica_of(stores[0], inventory)
    generation = stores[0].generation()
    with pytest.raises(NoPlacement):
        mine.write(lambda engine: engine.plan(dict(servers("big", 5, "large")), stack_id="s"))
    assert stores[0].generation() == generation
    assert mine.read(lambda engine: len(engine.plans)) == 0


def test_an_operation_that_changes_nothing_stores_nothing(stores, inventory):
    ops = Operations(replica_of(stores[0], inventory))
    plan = ops.create_plan(dict(servers("a", 1)), "s1")
    generation = stores[0].generation()
    assert ops.create_plan(dict(servers("a", 1)), "s1") == plan
    assert stores[0].generation() == generation


def test_a_missing_inventory_is_503(api):
    body = assert_error(call(api, "GET", "/v1/plans"), 503, "inventory")
    assert body["error"]["type"] == "ServiceUnavailable"

