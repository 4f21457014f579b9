"""Cinder's pools as storage backends (ostro.inventory.storage) and the
volume notifications that patch them, on plain pictures of Cinder; the
reads themselves run against a real Cinder in tests/cinder_func."""

from types import SimpleNamespace

from oslo_config import cfg

from ostro.daemon import notifications, options
from ostro.daemon.runner import Daemon
from ostro.inventory import file as inventory_file
from ostro.inventory.cinder import pool_entry
from ostro.inventory.cloud import Cloud, Layout, inventory
from ostro.inventory.racks import Naming

HYPERVISOR = {"vcpus": 4, "memory_mb": 8192, "disk_gb": 100, "state": "up", "status": "enabled"}


class Service:
    def __init__(self, status="enabled", state="up", zone="az1"):
        self.status, self.state, self.zone = status, state, zone


def pool(name, total=100, free=100, service=None, **capabilities):
    return pool_entry(name, {"total_capacity_gb": total, "free_capacity_gb": free,
                             "volume_backend_name": "lvm", **capabilities},
                      service, {"lvm": ["fast"], None: ["plain"]})


def document(pools, **layout):
    cloud = Cloud(hosts={"dc1r01c001": dict(HYPERVISOR)}, pools=pools)
    return inventory(cloud, Layout(Naming(), **layout))


def backends(pools, **layout):
    built = inventory_file.build(document(pools, **layout))
    return built.backends


def test_a_pool_gets_its_rack_from_a_capability_its_name_or_none():
    found = backends({
        "a@lvm#p": pool("a@lvm#p", valet_rack="dc1r01"),
        "dc2r07c003@lvm#p": pool("dc2r07c003@lvm#p"),
        "b@lvm#p": pool("b@lvm#p", valet_cluster="dc3"),
        "c@lvm#p": pool("c@lvm#p")})
    assert (found["a@lvm#p"].rack, found["a@lvm#p"].cluster) == ("dc1r01", "dc1")
    assert (found["dc2r07c003@lvm#p"].rack, found["dc2r07c003@lvm#p"].cluster) == \
        ("dc2r07", "dc2")
    assert (found["b@lvm#p"].rack, found["b@lvm#p"].cluster) == (None, "dc3")
    # Nothing places it: a rack of its own, not used (as hosts are).
    assert found["c@lvm#p"].rack == "unracked:c@lvm#p" and not found["c@lvm#p"].enabled
    assert backends({"c@lvm#p": pool("c@lvm#p")}, place_unracked=True)["c@lvm#p"].enabled


def test_used_space_types_zone_and_state_come_from_cinder():
    found = backends({
        "a@lvm#p": pool("a@lvm#p", 200, 150, Service(zone="az2"), reserved_percentage=10,
                        valet_rack="dc1r01"),
        "b@lvm#p": pool("b@lvm#p", 100, 100, Service(state="down"), valet_rack="dc1r01"),
        "c@lvm#p": pool("c@lvm#p", "infinite", "infinite", valet_rack="dc1r01")})
    a = found["a@lvm#p"]
    assert (a.capacity_gb, a.used_gb, a.availability_zone) == (200, 70, "az2")
    assert a.volume_types == ("fast", "plain")
    assert a.enabled and not found["b@lvm#p"].enabled
    # "infinite" is no number Valet can count: kept, never chosen.
    assert not found["c@lvm#p"].enabled


def test_cinder_not_read_keeps_the_stored_backends():
    stored = document({"a@lvm#p": pool("a@lvm#p", valet_rack="dc9r01")})
    again = inventory(Cloud(hosts={"dc1r01c001": dict(HYPERVISOR)}), Layout(Naming()),
                      previous=stored)
    assert again["storage_backends"] == stored["storage_backends"]
    assert inventory_file.build(again).backends["a@lvm#p"].rack == "dc9r01"


def test_volume_notifications_move_free_space_once():
    cloud = Cloud(pools={"a@lvm#p": pool("a@lvm#p")})
    created = {"volume_id": "v1", "host": "a@lvm#p", "size": 30}
    change = notifications.change_for("volume.create.end", created, None)
    assert change(cloud) is True and cloud.pools["a@lvm#p"]["free_gb"] == 70
    assert change(cloud) is False and cloud.pools["a@lvm#p"]["free_gb"] == 70
    gone = notifications.change_for("volume.delete.end", created, None)
    assert gone(cloud) is True and cloud.pools["a@lvm#p"]["free_gb"] == 100
    assert gone(cloud) is False
    # Before Cinder was read there is nothing to patch.
    assert notifications.change_for("volume.create.end", created, None)(Cloud()) is False


def test_the_leader_reads_cinder_unless_storage_is_none():
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf([], project="valet", default_config_files=[])
    assert conf.inventory.storage == "cinder"
    assert callable(Daemon._storage_reader(SimpleNamespace(conf=conf)))
    conf.set_override("storage", "none", "inventory")
    assert Daemon._storage_reader(SimpleNamespace(conf=conf)) is None
