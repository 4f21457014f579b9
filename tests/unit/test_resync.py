"""The leader's commits of a synced data centre (Replica.resync through
ostro.daemon.sync.Reconciler) seen by another engine's cache over
one SQLite store: the first sync, deltas, a changed data centre, no-ops."""

import dataclasses

import pytest

from ostro import replica as replicas
from ostro.config import EngineSettings
from ostro.daemon.sync import Reconciler
from ostro.errors import Unavailable
from ostro.inventory.cloud import Cloud, Layout
from ostro.inventory.instance import Instance
from ostro.inventory.racks import Naming
from ostro.replica.cache import Replica
from tests import leader_conf

SMALL = {"id": "1", "vcpus": 1, "ram": 1024, "disk": 10, "ephemeral": 0, "swap": 0,
         "extra_specs": {}}
HYPERVISOR = {"vcpus": 4, "memory_mb": 8192, "disk_gb": 100, "state": "up", "status": "enabled"}


def not_synced():
    raise Unavailable("not synced")


@pytest.fixture
def store(tmp_path):
    store = leader_conf.store(tmp_path)
    yield store
    store.close()


def cache(store):
    return Replica(store, not_synced, EngineSettings(solver_time_budget=0.1),
                        stored_inventory=True)


def picture(hosts=("dc1r01c001", "dc1r01c002", "dc1r02c001"), servers=()):
    return Cloud(hosts={name: dict(HYPERVISOR) for name in hosts},
                 flavors={"small": dict(SMALL)}, servers={s.id: s for s in servers})


class Nova:
    """What the sync reads: a picture the test changes."""

    def __init__(self):
        self.cloud = picture()

    def read(self):
        return dataclasses.replace(self.cloud, servers=dict(self.cloud.servers))


def server_entry(name):
    return {"type": "OS::Nova::Server", "name": name, "properties": {"flavor": "small"}}


def test_the_leaders_syncs_reach_another_engine(store):
    nova, leader, follower = Nova(), cache(store), cache(store)
    reconciler = Reconciler(leader, Layout(Naming()), nova.read)
    with pytest.raises(Unavailable):
        follower.read(lambda engine: engine.datacenter)

    assert reconciler.sync() is True                     # the first sync
    assert set(follower.read(lambda engine: engine.datacenter.racks)) == {"dc1r01", "dc1r02"}
    generation = store.generation()
    assert reconciler.sync() is False and store.generation() == generation   # a no-op

    plan = follower.write(lambda engine: engine.plan({"orch-a": server_entry("a")}, stack_id="s"))
    host = plan.placements["orch-a"].location
    follower.write(lambda engine: engine.reserve("orch-a", [host], resource_id="vm-a"))
    nova.cloud.servers["vm-a"] = Instance("vm-a", "a", host, {"name": "small", **SMALL})
    assert reconciler.sync() is False                    # same data centre: a delta
    assert follower.read(lambda engine: engine.placements["orch-a"].state) == "active"

    # The host goes away with the instance on it; a foreign server appears.
    others = [name for name in nova.cloud.hosts if name != host]
    nova.cloud = picture(hosts=others, servers=[
        Instance("vm-x", "x", others[0], {"name": "small", **SMALL})])
    assert reconciler.sync() is True
    assert follower.read(
        lambda engine: (sorted(engine.datacenter.hosts), dict(engine.placements))) == \
        (sorted(others), {})
    used = follower.read(lambda engine: engine.datacenter.hosts[others[0]].used)
    assert used == {"vcpus": 1, "memory_mb": 1024, "disk_gb": 10}


def test_local_api_workers_read_the_synced_data_centre(store, tmp_path):
    from tests.api.engine_cases import engine_conf

    Reconciler(cache(store), Layout(Naming()), Nova().read).sync()
    conf = engine_conf(store.url, tmp_path / "unused.yaml")
    conf.set_override("driver", "nova", "inventory")
    worker = replicas.replica_for(conf, store)
    assert len(worker.read(lambda engine: engine.datacenter.hosts)) == 3
