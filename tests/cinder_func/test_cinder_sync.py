"""The ``nova`` driver's Cinder reader (``[inventory] storage = cinder``)
against a real in-process Cinder: cinder's own functional test base (its
API on 127.0.0.1, scheduler and cinder-volume services, SQLite), read by
python-cinderclient through the keystoneauth1 options of ``[inventory]``.

The volume services run cinder's fake LVM driver, sized (:class:`SizedDriver`)
so that pools report a finite capacity and the free space their volumes
leave; the base's own service reports an ``infinite`` pool. Nova is not
here (nova's functional base wants a process of its own, RECIPES §2): its
side of the sync is a fixed picture of three hosts.

Cinder's test base needs a process of its own (``make cinder-func``).
"""

import os
import socket
import sys
import time

import fixtures
from cinder import context as cinder_context
from cinder import service
from cinder.tests import fake_driver
from cinder.tests.functional import functional_helpers
from cinder.volume import configuration
from cinder.volume import manager as volume_manager
from oslo_config import cfg

from ostro import replica as replicas
from ostro.daemon import notifications
from ostro.daemon.sync import Reconciler
from ostro.errors import NoPlacement
from ostro.inventory import cinder
from ostro.inventory.cloud import Cloud, Layout
from ostro.inventory.racks import Naming
from ostro.operations import Operations
from tests import leader_conf

CONF = cfg.CONF

#: backend -> (cinder-volume host, total GB, reserved %, extra capabilities)
BACKENDS = {
    # rack pdk15r05 from the host part of its name (the default pattern)
    "gold": ("pdk15r05c010", 100, 0, {}),
    # rack pdk15r06 from its capability (cinder.conf's extra_capabilities)
    "silver": ("stor-a", 200, 10, {"extra_capabilities": '{"valet_rack": "pdk15r06"}'}),
}
GOLD, SILVER = "pdk15r05c010@gold#gold", "stor-a@silver#silver"
HOSTS = ("pdk15r05c001", "pdk15r05c002", "pdk15r06c001")
HYPERVISOR = {"vcpus": 8, "memory_mb": 16384, "disk_gb": 200, "state": "up",
              "status": "enabled"}
#: A project id as Keystone makes them (cinder's URLs accept no other).
PROJECT = "6f70656e737461636b20697320636f6f6c"
SMALL = {"id": "1", "vcpus": 1, "ram": 1024, "disk": 10, "ephemeral": 0, "swap": 0,
         "extra_specs": {}}


class SizedDriver(fake_driver.FakeLoggingVolumeDriver):
    """Cinder's fake LVM driver with one pool of the size in BACKENDS,
    whose free space is what its volumes leave."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes = {}

    def create_volume(self, volume):
        update = super().create_volume(volume)
        self.sizes[volume.id] = volume.size
        return update

    def delete_volume(self, volume):
        super().delete_volume(volume)
        self.sizes.pop(volume.id, None)

    def _update_volume_stats(self):
        super()._update_volume_stats()
        name = self.configuration.safe_get("volume_backend_name")
        _host, total, reserved, _conf = BACKENDS[name]
        self._stats["volume_backend_name"] = name
        pool = self._stats["pools"][0]
        pool.update(pool_name=name, total_capacity_gb=total,
                    free_capacity_gb=total - sum(self.sizes.values()),
                    reserved_percentage=reserved)


class CinderSyncTest(functional_helpers._FunctionalTestBase):

    def _common_cleanup(self):
        # NOTE: cinder's cleanup deletes every public attribute, the test
        # method pytest set among them, which pytest then deletes again.
        method = self.__dict__.get(self._testMethodName)
        super()._common_cleanup()
        if method is not None:
            setattr(self, self._testMethodName, method)

    def _start_api_service(self):
        # NOTE: the wheel installs api-paste.ini under the prefix, not next
        # to the source tree where cinder's base looks (as nova's, RECIPES §3).
        CONF.api_paste_config = os.path.join(sys.prefix, "etc/cinder/api-paste.ini")
        self.osapi = service.WSGIService("osapi_volume")
        self.osapi.start()
        self.auth_url = f"http://{self.osapi.host}:{self.osapi.port}/v3"

    def _get_flags(self):
        flags = super()._get_flags()
        flags["volume_driver"] = {"v": "cinder.tests.fake_driver.FakeLoggingVolumeDriver",
                                  "g": configuration.SHARED_CONF_GROUP}
        # NOTE: URLs with the project id, as a catalog's volumev3 endpoint has.
        flags["auth_strategy"] = {"v": "noauth_include_project_id"}
        return flags

    def setUp(self):
        super().setUp()
        self.services = {}
        for backend, (host, _total, _reserved, options) in BACKENDS.items():
            # NOTE: a backend's section of cinder.conf, as cinder-volume reads it.
            CONF.register_opts(volume_manager.volume_backend_opts, group=backend)
            CONF.register_opts([cfg.StrOpt("volume_backend_name")], group=backend)
            options = {"volume_driver": f"{__name__}.SizedDriver",
                       "volume_backend_name": backend, **options}
            for key, value in options.items():
                self.override_config(key, value, backend)
            self.services[backend] = self.start_service("volume", host=f"{host}@{backend}",
                                                        service_name=backend)
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.conf = self._valet_conf()
        self.cinder = cinder.client(self.conf)
        for backend in BACKENDS:
            self.cinder.volume_types.create(f"{backend}-type").set_keys(
                {"volume_backend_name": backend})
        self._wait(lambda: {GOLD, SILVER} <= {p.name for p in self.cinder.pools.list()})
        self.store = self._store()
        self.replica = replicas.replica_for(self.conf, self.store)
        self.operations = Operations(self.replica)
        self.nova = Cloud(hosts={name: dict(HYPERVISOR) for name in HOSTS},
                          flavors={"small": dict(SMALL)})
        self.reader = [self.cinder]         # the client the sync reads Cinder with
        self.reconciler = Reconciler(self.replica, Layout(Naming.from_conf(self.conf)),
                                     lambda: _copy(self.nova),
                                     fetch_storage=lambda: cinder.read(self.reader[0]))

    def _store(self):
        store = leader_conf.store(self.directory)
        self.addCleanup(store.close)
        return store

    def _valet_conf(self):
        # NOTE: cinder's noauth middleware takes "user:project" as the
        # token, and makes its holder an admin.
        return leader_conf.conf(self.directory, (
            "driver = nova\nauth_type = admin_token\n"
            f"endpoint = {self.auth_url}\ntoken = admin:{PROJECT}\n"
            f"volume_endpoint_override = {self.auth_url}/{PROJECT}\n"))

    def _backends(self):
        return self.replica.read(lambda engine: dict(engine.datacenter.backends))

    def _report(self, backend):
        # NOTE: what cinder-volume does every periodic_interval: the driver's
        # stats to the scheduler, where get_pools reads them.
        self.services[backend].manager.publish_service_capabilities(
            cinder_context.get_admin_context())

    def _create_volume(self, size, volume_type):
        volume = self.cinder.volumes.create(size, volume_type=volume_type)
        self._wait(lambda: self.cinder.volumes.get(volume.id).status != "creating")
        volume = self.cinder.volumes.get(volume.id)
        self.assertEqual(volume.status, "available")
        return volume

    def _delete_volume(self, volume):
        self.cinder.volumes.delete(volume)
        self._wait(lambda: volume.id not in {v.id for v in self.cinder.volumes.list()})

    def _wait(self, condition, timeout=30.0):
        deadline = time.monotonic() + timeout
        while not condition():
            self.assertLess(time.monotonic(), deadline, "cinder did not get there")
            time.sleep(0.1)

    def _pool_free(self, name):
        return next(p for p in self.cinder.pools.list(detailed=True)
                    if p.name == name).free_capacity_gb

    def test_sync_reads_the_pools(self):
        self.assertTrue(self.reconciler.sync())
        backends = self._backends()
        gold, silver = backends[GOLD], backends[SILVER]
        self.assertEqual((gold.rack, gold.cluster, gold.capacity_gb, gold.used_gb),
                         ("pdk15r05", "pdk15", 100, 0))
        # Rack from the capability; 10 % reserved counts as used, as Cinder's
        # CapacityFilter has it.
        self.assertEqual((silver.rack, silver.cluster, silver.capacity_gb, silver.used_gb),
                         ("pdk15r06", "pdk15", 200, 20))
        # Each pool takes the type naming its backend and the default type.
        self.assertEqual(gold.volume_types, ("__DEFAULT__", "gold-type"))
        self.assertEqual(silver.volume_types, ("__DEFAULT__", "silver-type"))
        self.assertTrue(gold.enabled and silver.enabled)
        self.assertEqual(gold.availability_zone, "nova")
        # The base's own backend reports "infinite": listed, never used.
        (infinite,) = set(backends) - {GOLD, SILVER}
        self.assertFalse(backends[infinite].enabled)
        stored = self.store.inventory()["storage_backends"]
        self.assertEqual({b["name"] for b in stored}, set(backends))
        self.assertFalse(self.reconciler.sync())        # nothing changed: nothing written

    def test_a_volume_of_a_type_is_planned_on_its_pool(self):
        self.reconciler.sync()
        resources = {
            "orch-fast": {"type": "OS::Cinder::Volume", "name": "fast",
                          "properties": {"size": 10, "volume_type": "gold-type"}},
            "orch-big": {"type": "OS::Cinder::Volume", "name": "big",
                         "properties": {"size": 150, "volume_type": "silver-type"}},
            "orch-web": {"type": "OS::Nova::Server", "name": "web",
                         "properties": {"flavor": "small"}}}
        plan = self.operations.create_plan(resources, "stack-1")
        placements = plan["placements"]
        self.assertEqual(placements["orch-fast"]["location"], GOLD)
        self.assertEqual(placements["orch-big"]["location"], SILVER)
        self.assertIn(placements["orch-web"]["location"], HOSTS)

        # 150 of silver's 180 usable GB are planned: 40 more do not fit.
        refused = {"orch-more": {"type": "OS::Cinder::Volume", "name": "more",
                                 "properties": {"size": 40, "volume_type": "silver-type"}}}
        with self.assertRaises(NoPlacement) as raised:
            self.operations.create_plan(refused, "stack-2")
        self.assertIn("needs 40 volume_gb", str(raised.exception))

    def test_volumes_created_in_cinder_change_the_pools_usage(self):
        self.reconciler.sync()
        # A volume Valet did not place: Cinder's free space tells.
        foreign = self._create_volume(30, "gold-type")
        self._report("gold")
        self._wait(lambda: self._pool_free(GOLD) == 70)
        self.assertTrue(self.reconciler.sync())
        self.assertEqual(self._backends()[GOLD].used_gb, 30)

        # A volume Valet placed, reserved as cinder-scheduler's ValetFilter
        # does (its volume id): bound to the volume, and counted once.
        resources = {"orch-db": {"type": "OS::Cinder::Volume", "name": "db",
                                 "properties": {"size": 20, "volume_type": "gold-type"}}}
        self.operations.create_plan(resources, "stack-3")
        volume = self._create_volume(20, "gold-type")
        self.operations.reserve("orch-db", [GOLD], resource_id=volume.id)
        self._report("gold")
        self._wait(lambda: self._pool_free(GOLD) == 50)
        self.reconciler.sync()
        self.assertEqual(self._state("orch-db"), "active")
        self.assertEqual(self._backends()[GOLD].used_gb, 30)      # not 50
        self.assertEqual(self._volume_gb(GOLD), 50)

        self._delete_volume(foreign)
        self._delete_volume(volume)
        self._report("gold")
        self._wait(lambda: self._pool_free(GOLD) == 100)
        self.assertTrue(self.reconciler.sync())
        self.assertEqual(self.operations.list_placements(), [])    # its volume is gone
        self.assertEqual(self._volume_gb(GOLD), 0)

    def test_volume_notifications_patch_the_pools_usage(self):
        self.reconciler.sync()
        self.notifier.reset()
        volume = self._create_volume(25, "silver-type")
        self._apply("volume.create.end")
        self.assertEqual(self._backends()[SILVER].used_gb, 45)      # 20 reserved + 25
        self._apply("volume.create.end")                            # a duplicate: harmless
        self.assertEqual(self._backends()[SILVER].used_gb, 45)

        self.notifier.reset()
        self._delete_volume(volume)
        self._apply("volume.delete.end")
        self.assertEqual(self._backends()[SILVER].used_gb, 20)
        self._report("silver")
        self._wait(lambda: self._pool_free(SILVER) == 200)
        self.assertFalse(self.reconciler.sync())        # the sync agrees

    def test_cinder_unreachable_keeps_the_pools_and_syncs_the_hosts(self):
        self.reconciler.sync()
        self.conf.set_override("volume_endpoint_override", f"http://127.0.0.1:{_closed_port()}",
                               "inventory")
        unreachable = cinder.client(self.conf)
        self.nova.hosts["pdk15r06c002"] = dict(HYPERVISOR)
        self.reader[0] = unreachable
        self.assertTrue(self.reconciler.sync())          # the new host, and the pools kept
        self.assertIn("pdk15r06c002", self.replica.read(lambda engine: engine.datacenter.hosts))
        self.assertLessEqual({GOLD, SILVER}, set(self._backends()))
        # A leader that never reached Cinder (a restart) keeps the stored pools.
        restarted = Reconciler(self.replica, Layout(Naming.from_conf(self.conf)),
                               lambda: _copy(self.nova),
                               fetch_storage=lambda: cinder.read(unreachable))
        restarted.sync()
        self.assertEqual(self._backends()[SILVER].used_gb, 20)
        self.reader[0] = self.cinder
        self.assertFalse(self.reconciler.sync())         # back: nothing changed

    def _state(self, orch_id):
        return self.replica.read(lambda engine: engine.placements[orch_id].state)

    def _volume_gb(self, pool):
        """What the engine counts on ``pool``: Cinder's foreign use plus its own."""
        def taken(engine):
            i = engine.compiled.index[pool]
            return float(engine.compiled.capacity[i, 3] - engine.state.headroom[i, 3])
        return self.replica.read(taken)

    def _apply(self, event_type):
        for message in self.notifier.notifications:
            if message["event_type"] == event_type:
                change = notifications.change_for(event_type, message["payload"], None)
                self.reconciler.patch(change)


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _copy(cloud):
    return Cloud(hosts=dict(cloud.hosts), flavors=dict(cloud.flavors))
