"""The ``nova`` inventory driver and reconciliation against a real in-process
Nova (its API, conductor, scheduler, placement and fake computes: nova's own
functional test base, RECIPES §3), read by python-novaclient through the
keystoneauth1 options of ``[inventory]``.

Nova's test base needs a process of its own (``make nova-func``).
"""

import os
import sys
import time
import uuid
import warnings

import fixtures
import oslo_messaging
from nova.tests.functional import integrated_helpers

from ostro import replica as replicas
from ostro.daemon import notifications
from ostro.daemon.sync import Reconciler
from ostro.inventory import nova
from ostro.inventory.cloud import Layout
from ostro.inventory.racks import Naming
from ostro.operations import Operations
from ostro.rpc import transport
from tests import leader_conf
from tests.rabbitmq.server import RabbitServer

#: Hosts: two racks of cluster pdk15 by the name pattern, one rack from
#: aggregate metadata, one host nothing places.
RACKED = ("pdk15r05c001", "pdk15r05c002", "pdk15r06c001")
ODD, STRAY = "odd-host", "stray-host"


class NovaSyncTest(integrated_helpers.ProviderUsageBaseTestCase):
    compute_driver = "fake.SmallFakeDriver"
    microversion = "latest"

    def _clear_attrs(self):
        pass                    # NOTE: pytest compatibility (RECIPES §3)

    def setUp(self):
        self.flags(api_paste_config=os.path.join(sys.prefix, "etc/nova/api-paste.ini"),
                   group="wsgi")
        super().setUp()
        # NOTE: nova's test base makes SQLAlchemy deprecations errors; nova 34
        # uses noload() on its paginated server list (a marker), deprecated in
        # SQLAlchemy 2.1: an incompatibility of the two, not of Valet's reads.
        warnings.filterwarnings("ignore", message=r"The noload\(\) option is deprecated")
        for host in (*RACKED, ODD, STRAY):
            self._start_compute(host)
        ssd = self._create_aggregate("ssd")
        self.admin_api.post_aggregate_action(ssd, {"set_metadata": {"metadata": {
            "ssd": "true", "cpu_allocation_ratio": "4.0"}}})
        self.admin_api.add_host_to_aggregate(ssd, "pdk15r05c001")
        odd = self._create_aggregate("odd-rack")
        self.admin_api.post_aggregate_action(odd, {"set_metadata": {"metadata": {
            "valet_rack": "rx1", "valet_cluster": "cx"}}})
        self.admin_api.add_host_to_aggregate(odd, ODD)
        self.flavor = self.admin_api.post_flavor({"flavor": {
            "name": "valet.small", "ram": 1024, "vcpus": 1, "disk": 10, "id": "vs1"}})
        self.admin_api.post_extra_spec("vs1", {"extra_specs": {"ssd": "true"}})
        self.store = self._store()
        self.conf = self._valet_conf()
        self.replica = replicas.replica_for(self.conf, self.store)
        self.operations = Operations(self.replica)
        naming = Naming.from_conf(self.conf)
        client = nova.client(self.conf, additional_headers={
            # NOTE: nova's fixture stubs keystone: these headers are its user.
            "X-Auth-User": "admin", "X-Auth-Project-Id": "admin-project",
            "X-Roles": "reader,member,admin"})
        self.reconciler = Reconciler(self.replica, Layout(naming), lambda: nova.read(client))

    def _store(self):
        self.directory = self.useFixture(fixtures.TempDir()).path
        store = leader_conf.store(self.directory)
        self.addCleanup(store.close)
        return store

    def _valet_conf(self):
        return leader_conf.conf(self.directory, (
            "driver = nova\nauth_type = admin_token\n"
            f"endpoint = {self.api.base_url}\ntoken = unused\n"
            f"endpoint_override = {self.api.base_url}\n"))

    def _hosts(self):
        return {host["name"]: host for host in self.operations.list_hosts()}

    def _boot(self, host, **extra):
        body = self._build_server(flavor_id="vs1", networks="none", host=host)
        body.update(extra)
        server = self.admin_api.post_server({"server": body})
        return self._wait_for_state_change(server, "ACTIVE")

    def test_sync_builds_the_data_centre_from_nova(self):
        foreign = self._boot("pdk15r05c002")
        service = self.admin_api.get_services(binary="nova-compute", host="pdk15r06c001")[0]
        self.admin_api.put_service(service["id"], {"status": "disabled"})

        self.assertTrue(self.reconciler.sync())
        hosts = self._hosts()
        self.assertEqual({(name, hosts[name]["rack"], hosts[name]["cluster"]) for name in hosts},
                         {("pdk15r05c001", "pdk15r05", "pdk15"),
                          ("pdk15r05c002", "pdk15r05", "pdk15"),
                          ("pdk15r06c001", "pdk15r06", "pdk15"),
                          (ODD, "rx1", "cx"), (STRAY, f"unracked:{STRAY}", "default")})
        # Unracked: shown, never used; disabled service: not used.
        self.assertEqual({name for name, host in hosts.items() if not host["enabled"]},
                         {STRAY, "pdk15r06c001"})
        # Capacity from the hypervisor, ratio from the aggregate (4.0) or the default (16).
        self.assertEqual(hosts["pdk15r05c001"]["capacity"]["vcpus"], 8)
        self.assertEqual(hosts["pdk15r05c002"]["capacity"]["vcpus"], 32)
        self.assertEqual(hosts["pdk15r05c001"]["aggregates"], ["ssd"])
        # The server Valet did not place is load on its host.
        self.assertEqual(hosts["pdk15r05c002"]["used"],
                         {"vcpus": 1, "memory_mb": 1024, "disk_gb": 10})
        stored = self.store.inventory()
        self.assertEqual(stored["flavors"]["valet.small"]["extra_specs"], {"ssd": "true"})
        self.assertEqual(stored["aggregates"]["ssd"]["cpu_allocation_ratio"], 4.0)
        self.assertFalse(self.reconciler.sync())        # nothing changed: nothing written

        self._delete_server(foreign)
        self.assertTrue(self.reconciler.sync())
        self.assertEqual(self._hosts()["pdk15r05c002"]["used"]["vcpus"], 0)

    def test_placements_follow_their_instances(self):
        self.reconciler.sync()
        resources = {"orch-web": {"type": "OS::Nova::Server", "name": "web",
                                  "properties": {"flavor": "valet.small"}}}
        # ssd extra spec: only the ssd aggregate's host qualifies.
        plan = self.operations.create_plan(resources, "stack-1")
        host = plan["placements"]["orch-web"]["location"]
        self.assertEqual(host, "pdk15r05c001")
        server = self._boot(host)
        self.operations.reserve("orch-web", [host], resource_id=server["id"])
        self.reconciler.sync()
        placement = self.operations.get_placement("orch-web")
        self.assertEqual((placement["location"], self._state("orch-web")), (host, "active"))
        self.assertEqual(self._hosts()[host]["used"]["vcpus"], 1)   # counted once

        # A live migration, learnt from Nova's own notification (no sync).
        self.notifier.reset()
        self._live_migrate(server, api=self.admin_api, host="pdk15r05c002")
        event = "instance.live_migration_post_dest.end"
        self.notifier.wait_for_versioned_notifications(event)
        self._apply_notifications(event)
        self.assertEqual(self.operations.get_placement("orch-web")["location"], "pdk15r05c002")
        # The ssd rule is broken now, and the checker says so.
        violations = self.operations.violations()
        self.assertIn(server["id"], violations)
        self.assertFalse(self.reconciler.sync())         # the sync agrees: nothing to do

        self.notifier.reset()
        self._delete_server(server)
        self.notifier.wait_for_versioned_notifications("instance.delete.end")
        self._apply_notifications("instance.delete.end")
        self._apply_notifications("instance.delete.end")       # a duplicate: harmless
        self.assertEqual(self.operations.list_placements(), [])
        self.assertFalse(self.reconciler.sync())

    def test_a_server_with_valet_groups_is_recorded_with_its_groups(self):
        self.store.create_group("apart", "diversity", "host")
        server = self._boot("pdk15r05c002", metadata={"valet": '{"groups": ["apart"]}'})
        self.reconciler.sync()
        placement = self.operations.get_placement(server["id"])
        self.assertEqual(placement["location"], "pdk15r05c002")
        self.assertEqual(self._hosts()["pdk15r05c002"]["used"]["vcpus"], 1)
        self.assertEqual(self._hosts()["pdk15r05c002"]["groups"], ["apart"])

    def _state(self, orch_id):
        return self.replica.read(lambda engine: engine.placements[orch_id].state)

    def _apply_notifications(self, event_type):
        for message in self.notifier.versioned_notifications:
            if message["event_type"] == event_type:
                change = notifications.change_for(message["event_type"], message["payload"],
                                                  None)
                self.reconciler.patch(change)



class NotificationsOverRabbitTest(NovaSyncTest):
    """Nova's own versioned notifications, sent through a real RabbitMQ to
    the engine's listener (the engine's side, as the leader runs it)."""

    def setUp(self):
        super().setUp()
        self.broker = RabbitServer().start()
        self.addCleanup(self.broker.stop)
        transport.register_opts(self.conf)
        self.conf.set_override("transport_url", self.broker.url())
        self.conf.set_override("pool", f"valet-test-{uuid.uuid4().hex[:8]}", "notifications")
        self.listener = notifications.Listener(self.conf, self.reconciler)
        self.sender = oslo_messaging.get_notification_transport(self.conf)
        self.addCleanup(self.sender.cleanup)
        self.notifier_out = oslo_messaging.Notifier(
            self.sender, publisher_id="nova-compute:test", driver="messagingv2",
            topics=self.conf.notifications.topics)

    # The tests of the base class are not repeated here.
    test_sync_builds_the_data_centre_from_nova = None
    test_placements_follow_their_instances = None
    test_a_server_with_valet_groups_is_recorded_with_its_groups = None

    def test_nova_notifications_through_rabbitmq_move_and_release_placements(self):
        self.reconciler.sync()
        self.listener.start()
        self.addCleanup(self.listener.stop)
        # NOTE: it connects in the background; what is sent before its
        # queue exists would be lost.
        self.assertTrue(self.listener.wait_until_listening(60))
        resources = {"orch-db": {"type": "OS::Nova::Server", "name": "db",
                                 "properties": {"flavor": "valet.small"}}}
        host = self.operations.create_plan(resources, "stack-2")["placements"]["orch-db"][
            "location"]
        server = self._boot(host)
        self.operations.reserve("orch-db", [host], resource_id=server["id"])
        self.notifier.reset()
        self._live_migrate(server, api=self.admin_api, host="pdk15r05c002")
        self.notifier.wait_for_versioned_notifications("instance.live_migration_post_dest.end")
        self._send_all(times=2)         # every event twice: duplicates are harmless
        self._wait(lambda: self.operations.get_placement("orch-db")["location"]
                   == "pdk15r05c002")
        self.assertEqual(self._state("orch-db"), "active")

        self.notifier.reset()
        self._delete_server(server)
        self.notifier.wait_for_versioned_notifications("instance.delete.end")
        self._send_all(times=1)
        self._wait(lambda: self.operations.list_placements() == [])
        self.assertGreaterEqual(self.listener.endpoint.handled, 3)
        self.assertFalse(self.reconciler.sync())        # the sync agrees

    def _send_all(self, times):
        for _ in range(times):
            for message in self.notifier.versioned_notifications:
                self.notifier_out.info({}, message["event_type"], message["payload"])

    def _wait(self, condition, timeout=60.0):
        # NOTE: a generous deadline against a hang; delivery takes milliseconds.
        deadline = time.monotonic() + timeout
        while not condition():
            self.assertLess(time.monotonic(), deadline, "the notification was not applied")
            time.sleep(0.1)
