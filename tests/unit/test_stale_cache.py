"""Two workers' caches over one SQLite store: a write first looks at its own
cache without asking the store (Replica.peek) and must still answer as if
it had read the store, whatever the other worker committed since."""

import pytest

from ostro.config import EngineSettings
from ostro.errors import NotFound
from ostro.operations import Operations
from ostro.replica.cache import Replica
from tests import leader_conf
from tests.unit.engine_fixtures import datacenter, server, servers, stack


@pytest.fixture
def store(tmp_path):
    store = leader_conf.store(tmp_path)
    yield store
    store.close()


def worker(store):
    dc = datacenter()
    replica = Replica(store, lambda: dc, EngineSettings(solver_time_budget=0.1))
    operations = Operations(replica)
    operations.status()                 # the cache is loaded now
    return replica, operations


def test_a_placement_the_other_worker_planned_is_reserved(store):
    replica, first = worker(store)
    _, second = worker(store)
    second.create_plan(stack(*servers("s", 1)), "other")
    assert replica.peek(lambda engine: engine.placements) == {}       # stale
    shown = first.reserve("orch-s1", [], resource_id="vm-1")
    assert shown["reserved"] and shown["resource_id"] == "vm-1"


def test_a_placement_the_other_worker_released_is_a_404(store):
    _, first = worker(store)
    _, second = worker(store)
    first.create_plan(stack(*servers("s", 1)), "mine")
    second.release("orch-s1")
    with pytest.raises(NotFound):
        first.reserve("orch-s1", [])
    with pytest.raises(NotFound):
        first.release("orch-s1")


def test_a_group_the_other_worker_created_is_known_to_a_plan(store):
    replica, first = worker(store)
    store.create_group("web", "diversity", "host")     # as another worker's API would
    assert replica.peek(lambda engine: dict(engine.named_groups)) == {}
    plan = first.create_plan(stack(server("a", groups=["web"]), server("b", groups=["web"])),
                             "joins")
    hosts = {placement["location"] for placement in plan["placements"].values()}
    assert len(hosts) == 2


def test_without_a_cache_peek_answers_nothing(store):
    dc = datacenter()
    replica = Replica(store, lambda: dc, EngineSettings())
    assert replica.peek(lambda engine: "looked") is None
