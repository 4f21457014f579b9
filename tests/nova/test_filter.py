"""``ValetFilter`` inside a real in-process nova (API, conductor, scheduler,
placement, four fake computes) talking to a real ``valet-api`` over HTTP.

nova's ``HostNameWeigherFixture`` makes nova alone prefer host1, then host2:
a server that lands elsewhere landed there because Valet said so.
"""

import os
import sys
import time
import warnings

import fixtures
from keystoneauth1 import loading as ks_loading
from nova import test
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional import integrated_helpers
from nova.virt import fake as fake_driver
from sqlalchemy import exc as sqlalchemy_exc

from tests.nova import leader
from tests.nova.valet_server import HOSTS, SilentServer, ValetServer
from tests.support.live_server import free_port
from valet_openstack import client as valet_client
from valet_openstack.nova import filter as valet_filter

NOVA_DEFAULT_FILTERS = ["ComputeFilter", "ComputeCapabilitiesFilter", "ImagePropertiesFilter",
                        "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"]
VALET = None


def setUpModule():
    global VALET
    VALET = ValetServer()       # one valet-api for the module: ~2 s saved a test


def tearDownModule():
    VALET.stop()


def server_resource(name, groups=()):
    return {"type": "OS::Nova::Server", "name": name,
            "properties": {"flavor": "m1.tiny",
                           "metadata": {"valet": {"groups": list(groups)}}}}


class ValetNovaTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """Four fake computes; ``filter_name`` last in enabled_filters."""

    compute_driver = "fake.SmallFakeDriver"
    microversion = "latest"
    filter_name = "ValetFilter"
    #: Whether nova weighs by Valet too (ValetWeigher after nova's fixture's).
    weighed = False

    def _clear_attrs(self):
        pass    # NOTE: nova's cleanup deletes attributes pytest still needs

    def setUp(self):
        self.flags(available_filters=["nova.scheduler.filters.all_filters",
                                      "valet_openstack.nova.filter." + self.filter_name],
                   enabled_filters=NOVA_DEFAULT_FILTERS + [self.filter_name],
                   group="filter_scheduler")
        self.flags(api_paste_config=os.path.join(sys.prefix, "etc/nova/api-paste.ini"),
                   group="wsgi")
        self.useFixture(nova_fixtures.HostNameWeigherFixture(
            {"host1": 100, "host2": 50, "host3": 10, "host4": 5}))
        if self.weighed:
            self.flags(weight_classes=["nova.tests.fixtures.nova.HostNameWeigher",
                                       valet_filter.WEIGHER], group="filter_scheduler")
        super().setUp()
        # NOTE: nova 34 turns SQLAlchemy deprecations into errors, and its
        # NoValidHost path (burying the instance in cell0) still uses
        # noload(), deprecated in SQLAlchemy 2.1; nova's own cleanup resets
        # the filters.
        warnings.filterwarnings("ignore", message=r"The noload\(\) option is deprecated",
                                category=sqlalchemy_exc.SADeprecationWarning)
        # NOTE: [valet] exists only because the scheduler, starting in
        # super().setUp(), loaded the filter, which registers it on nova's CONF.
        self.flags(url=VALET.url, read_timeout=10.0, retries=1, retry_delay=0.2,
                   failure_mode="reject", group="valet")
        self.addCleanup(VALET.forget_everything)
        for host in HOSTS:
            self._start_compute(host)

    def boot(self, hints=None, name=None):
        """POST a server (m1.tiny, no network) with scheduler hints; the
        server as the API answered (not yet scheduled)."""
        body = {"server": self._build_server(name=name, flavor_id="1", networks="none")}
        if hints:
            body["os:scheduler_hints"] = hints
        return self.api.post_server(body)

    def wait_for(self, server, status):
        # NOTE: up to 20 s (nova's default is 5 s): the machine may be busy.
        return self._wait_for_state_change(server, status, max_retries=40)

    def active_host(self, server):
        return self.wait_for(server, "ACTIVE")["OS-EXT-SRV-ATTR:host"]

    def plan(self, stack_id, resources, locations=None):
        """``{orchestration id: planned host}`` of a plan made through the API."""
        body = {"plan_name": stack_id, "stack_id": stack_id, "resources": resources}
        if locations:
            body["locations"] = locations
        plan = VALET.expect(201, "POST", "/v1/plans", body)["plan"]
        return {orch_id: p["location"] for orch_id, p in plan["placements"].items()}

    def valet_placement(self, key):
        return VALET.expect(200, "GET", f"/v1/placements/{key}")["placement"]

    def assert_reserved_for(self, server, host):
        """Valet's books agree with nova: ``server`` is reserved on ``host``."""
        placement = self.valet_placement(server["id"])    # found by resource id
        self.assertEqual((host, True, server["id"]),
                         (placement["location"], placement["reserved"],
                          placement["resource_id"]))


class TestHeatPlacements(ValetNovaTestCase):

    def test_heat_servers_land_on_their_planned_hosts(self):
        # A diversity group in the stack, planned onto host3 and host4:
        # nova's weigher alone would put both on host1.
        resources = {"orch-web-1": server_resource("web-1"),
                     "orch-web-2": server_resource("web-2"),
                     "orch-spread": {"type": "OS::Valet::GroupAssignment", "name": "spread",
                                     "properties": {"group_type": "diversity", "level": "host",
                                                    "resources": ["web-1", "web-2"]}}}
        planned = self.plan("stack-a", resources, locations=["host3", "host4"])
        self.assertEqual({"host3", "host4"}, set(planned.values()))

        for orch_id in ("orch-web-1", "orch-web-2"):
            server = self.boot({"heat_resource_uuid": orch_id})
            host = self.active_host(server)
            self.assertEqual(planned[orch_id], host)
            self.assert_reserved_for(server, host)
            self.assertEqual(orch_id, self.valet_placement(server["id"])["orchestration_id"])

    def test_named_diversity_group_booted_in_parallel_lands_on_three_hosts(self):
        VALET.expect(201, "POST", "/v1/groups",
                     {"name": "db-ha", "type": "diversity", "level": "host"})
        orch_ids = [f"orch-db-{n}" for n in range(3)]
        planned = self.plan("stack-b", {orch_id: server_resource(orch_id, ["db-ha"])
                                        for orch_id in orch_ids})
        # All three requests are in flight before any is scheduled.
        servers = [self.boot({"heat_resource_uuid": orch_id}) for orch_id in orch_ids]
        hosts = [self.active_host(server) for server in servers]
        self.assertEqual(3, len(set(hosts)), hosts)
        self.assertEqual([planned[orch_id] for orch_id in orch_ids], hosts)

    def test_planned_host_that_nova_excludes_is_replanned_within_candidates(self):
        planned = self.plan("stack-c", {"orch-app": server_resource("app")},
                            locations=["host4"])
        self.assertEqual({"orch-app": "host4"}, planned)
        # host4 goes into maintenance after the plan: nova's ComputeFilter
        # (and placement) no longer offer it.
        service = self.admin_api.get_services(binary="nova-compute", host="host4")[0]
        self.admin_api.put_service(service["id"], {"status": "disabled"})

        server = self.boot({"heat_resource_uuid": "orch-app"})
        host = self.active_host(server)
        self.assertIn(host, {"host1", "host2", "host3"})
        self.assert_reserved_for(server, host)      # Valet moved its plan with it

    def test_heat_hint_valet_does_not_know_is_placed_ad_hoc(self):
        server = self.boot({"heat_resource_uuid": "orch-never-planned"})
        host = self.active_host(server)
        self.assert_reserved_for(server, host)


class TestAdHoc(ValetNovaTestCase):

    def test_servers_without_heat_join_a_named_diversity_group(self):
        VALET.expect(201, "POST", "/v1/groups",
                     {"name": "cache-ha", "type": "diversity", "level": "host"})
        first = self.boot({"valet_groups": "cache-ha"})
        first_host = self.active_host(first)
        second = self.boot({"valet_groups": ["cache-ha"]})
        second_host = self.active_host(second)
        self.assertNotEqual(first_host, second_host)
        for server, host in ((first, first_host), (second, second_host)):
            self.assert_reserved_for(server, host)
        group = VALET.expect(200, "GET", "/v1/hosts/" + first_host)["host"]
        self.assertIn("cache-ha", str(group))

    def test_three_ad_hoc_servers_booted_in_parallel_stay_diverse(self):
        VALET.expect(201, "POST", "/v1/groups",
                     {"name": "quorum", "type": "diversity", "level": "host"})
        servers = [self.boot({"valet_groups": "quorum"}) for _ in range(3)]
        hosts = [self.active_host(server) for server in servers]
        self.assertEqual(3, len(set(hosts)), hosts)

    def test_parallel_boots_in_an_anti_affinity_server_group_never_share_a_host(self):
        group = self.api.post_server_groups({"name": "spread", "policy": "anti-affinity"})
        builds = []
        spawn = fake_driver.FakeDriver.spawn

        def counted_spawn(driver, context, instance, *args, **kwargs):
            builds.append(driver._host)
            return spawn(driver, context, instance, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch("nova.virt.fake.FakeDriver.spawn", counted_spawn))
        # Five in flight before any is scheduled, on four computes.
        servers = [self.boot({"group": group["id"]}) for _ in range(5)]
        settled = [self.settled(server) for server in servers]
        active = [server for server in settled if server["status"] == "ACTIVE"]
        refused = [server for server in settled if server["status"] == "ERROR"]
        hosts = {server["OS-EXT-SRV-ATTR:host"] for server in active}
        self.assertEqual((4, 4, 1), (len(active), len(hosts), len(refused)), settled)
        self.assertIn("No valid host", refused[0]["fault"]["message"])
        # Refused by Valet's plan before any build, not by nova's late check
        # on a compute (which would have built, failed and rescheduled).
        self.assertEqual(4, len(builds), builds)
        log = (VALET.directory / "valet-api.log").read_text(errors="replace")
        self.assertIn(f"nova-server-group-{group['id']}", log)
        self.assertRegex(log, rf"refused .*{refused[0]['id']}.*: NoPlacement")

    def settled(self, server):
        """``server`` once it is ACTIVE or ERROR."""
        for _ in range(200):
            server = self.api.get_server(server["id"])
            if server["status"] in ("ACTIVE", "ERROR"):
                return server
            time.sleep(0.1)
        self.fail(f"server {server['id']} is still {server['status']}")

    def test_cold_migration_is_replanned_by_instance_uuid(self):
        server = self.boot()
        source = self.active_host(server)
        self.assert_reserved_for(server, source)
        # nova offers every host but the source: Valet re-plans the server there.
        server = self._migrate_server(server)
        target = server["OS-EXT-SRV-ATTR:host"]
        self.assertNotEqual(source, target)
        self.assert_reserved_for(server, target)

    def host_used(self, host):
        return VALET.expect(200, "GET", f"/v1/hosts/{host}")["host"]["used"]["memory_mb"]

    def test_a_resize_is_planned_with_the_new_flavor_and_a_revert_restores_the_old(self):
        server = self.boot()                            # m1.tiny: 512 MB
        source = self.active_host(server)
        self.assertEqual(512, self.host_used(source))
        # Nova schedules the resize with m1.small (2048 MB) among every host
        # but the source: Valet re-plans the server with the new flavor.
        server = self._resize_server(server, "2")
        target = server["OS-EXT-SRV-ATTR:host"]
        self.assertNotEqual(source, target)
        self.assert_reserved_for(server, target)
        self.assertEqual((0, 2048), (self.host_used(source), self.host_used(target)))
        # A revert goes back without scheduling; the leader's sync sees the
        # instance on its source as m1.tiny again, and the plan follows.
        self._revert_resize(server)
        self.assertTrue(leader.sync_once(VALET, self.api.base_url))
        self.assert_reserved_for(server, source)
        self.assertEqual((512, 0), (self.host_used(source), self.host_used(target)))

    def test_a_member_only_group_admits_only_its_members_servers(self):
        # The ad hoc plan is the instance's project's (not nova's service
        # project's), so the group's member list decides.
        plain = self.wait_for(self.boot(), "ACTIVE")
        project = plain["tenant_id"]
        VALET.expect(201, "POST", "/v1/groups", {"name": "ours", "type": "diversity",
                                                 "level": "host", "members": [project]})
        VALET.expect(201, "POST", "/v1/groups", {"name": "theirs", "type": "diversity",
                                                 "level": "host", "members": ["another"]})
        admitted = self.boot({"valet_groups": "ours"})
        self.assert_reserved_for(admitted, self.active_host(admitted))
        refused = self.wait_for(self.boot({"valet_groups": "theirs"}), "ERROR")
        self.assertIn("No valid host", refused["fault"]["message"])

    def test_unknown_group_is_refused_with_no_valid_host(self):
        server = self.boot({"valet_groups": "no-such-group"})
        server = self.wait_for(server, "ERROR")
        self.assertIn("No valid host", server["fault"]["message"])


class TestWeighedByValet(ValetNovaTestCase):
    """ValetWeigher enabled: multi-create requests and alternates."""

    weighed = True

    def boot_many(self, count, hints):
        """One request for ``count`` servers; their hosts once ACTIVE."""
        body = {"server": dict(self._build_server(flavor_id="1", networks="none"),
                               min_count=count, max_count=count),
                "os:scheduler_hints": hints}
        self.api.post_server(body)
        servers = self.api.get_servers()
        self.assertEqual(count, len(servers))
        hosts = [self.active_host(server) for server in servers]
        for server, host in zip(servers, hosts, strict=True):
            self.assert_reserved_for(server, host)      # one placement each
        return hosts

    def test_one_request_for_three_servers_in_a_diversity_group_takes_three_hosts(self):
        VALET.expect(201, "POST", "/v1/groups",
                     {"name": "trio", "type": "diversity", "level": "host"})
        hosts = self.boot_many(3, {"valet_groups": "trio"})
        self.assertEqual(3, len(set(hosts)), hosts)
        # Planned as one request: one plan of three servers.
        plans = VALET.expect(200, "GET", "/v1/plans")["plans"]
        self.assertEqual(1, len(plans))
        self.assertEqual(3, len(VALET.expect(200, "GET", "/v1/plans/" + plans[0]["id"])
                                ["plan"]["placements"]))

    def test_one_request_for_three_servers_in_an_affinity_group_takes_one_host(self):
        VALET.expect(201, "POST", "/v1/groups",
                     {"name": "together", "type": "affinity", "level": "host"})
        hosts = self.boot_many(3, {"valet_groups": ["together"]})
        self.assertEqual(1, len(set(hosts)), hosts)

    def test_a_failed_build_is_retried_on_an_alternate_that_keeps_the_rules(self):
        # Rack diversity: web-1 planned on host1 (rack r1), web-2 on host3 (r2).
        resources = {"orch-web-1": server_resource("web-1"),
                     "orch-web-2": server_resource("web-2"),
                     "orch-apart": {"type": "OS::Valet::GroupAssignment", "name": "apart",
                                    "properties": {"group_type": "diversity", "level": "rack",
                                                   "resources": ["web-1", "web-2"]}}}
        planned = self.plan("stack-retry", resources, locations=["host1", "host3"])
        self.assertEqual({"orch-web-1": "host1", "orch-web-2": "host3"}, planned)
        first = self.boot({"heat_resource_uuid": "orch-web-1"})
        self.assertEqual("host1", self.active_host(first))
        # host3 fails every build: nova's conductor retries on an alternate
        # given at scheduling time, without asking the scheduler (or Valet).
        failed = []
        spawn = fake_driver.FakeDriver.spawn

        def spawn_unless_host3(driver, context, instance, *args, **kwargs):
            if driver._host == "host3":
                failed.append(instance.uuid)
                raise test.TestingException("host3 cannot build")
            return spawn(driver, context, instance, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch("nova.virt.fake.FakeDriver.spawn",
                                             spawn_unless_host3))
        asked = []
        attempt = valet_client.ValetClient._attempt

        def recorded_attempt(client, method, path, body):
            asked.append((method, path))
            return attempt(client, method, path, body)

        self.useFixture(fixtures.MonkeyPatch(
            "valet_openstack.client.ValetClient._attempt", recorded_attempt))
        second = self.boot({"heat_resource_uuid": "orch-web-2"})
        # The only alternate keeping the rack rule is host4 (host1 and host2
        # are rack r1, web-1's; nova alone would prefer host1, then host2).
        self.assertEqual("host4", self.active_host(second))
        self.assertEqual([second["id"]], failed)
        # Valet was asked once (the alternate came with the answer).
        self.assertEqual([("POST", "/v1/placements/orch-web-2")], asked)
        # The leader's sync finds the instance on host4: the placement follows,
        # and the plan's rules still hold there.
        self.assertTrue(leader.sync_once(VALET, self.api.base_url))
        placement = self.valet_placement(second["id"])
        self.assertEqual(("host4", "orch-web-2"),
                         (placement["location"], placement["orchestration_id"]))
        self.assertEqual({}, VALET.expect(200, "GET", "/v1/resources")["resources"])


class TestOneClient(ValetNovaTestCase):

    def record_valet_traffic(self):
        """``(sessions, requests)``: the keystoneauth1 sessions the filter
        builds and the ``(method, path)`` of every request it sends."""
        sessions, requests = [], []
        load_session, attempt = (ks_loading.load_session_from_conf_options,
                                 valet_client.ValetClient._attempt)

        def counted_session(*args, **kwargs):
            sessions.append(load_session(*args, **kwargs))
            return sessions[-1]

        def recorded_attempt(client, method, path, body):
            requests.append((method, path))
            return attempt(client, method, path, body)

        self.useFixture(fixtures.MonkeyPatch(
            "keystoneauth1.loading.load_session_from_conf_options", counted_session))
        self.useFixture(fixtures.MonkeyPatch(
            "valet_openstack.client.ValetClient._attempt", recorded_attempt))
        return sessions, requests

    def test_one_client_serves_every_decision_and_an_ad_hoc_boot_takes_one_call(self):
        sessions, requests = self.record_valet_traffic()
        first = self.boot()
        self.assert_reserved_for(first, self.active_host(first))
        # One reserve that plans the server ad hoc (no placement yet) and reserves it.
        self.assertEqual([("POST", f"/v1/placements/{first['id']}")], requests)
        second = self.boot()
        self.assert_reserved_for(second, self.active_host(second))
        self.assertEqual(2, len(requests))
        self.assertEqual(1, len(sessions))      # one session, one token, for both


class TestValetDown(ValetNovaTestCase):

    def valet_is(self, url, failure_mode):
        # NOTE: tiny timeouts, so that the bounded failure path ends quickly.
        self.flags(url=url, read_timeout=0.5, retries=1, retry_delay=0.1,
                   failure_mode=failure_mode, group="valet")

    def test_reject_when_valet_hangs_gives_no_valid_host(self):
        silent = SilentServer()
        self.addCleanup(silent.close)
        self.valet_is(silent.url, "reject")
        started = time.monotonic()
        server = self.wait_for(self.boot(), "ERROR")
        elapsed = time.monotonic() - started
        self.assertIn("No valid host", server["fault"]["message"])
        # One attempt and one retry, each cut at read_timeout (0.5 s).
        self.assertEqual(2, silent.connections)
        # Generous: 2 x 0.5 s + 0.1 s of Valet plus nova's own work; the
        # defaults (5 s, 3 retries) would take over 23 s.
        self.assertLess(elapsed, 15.0)

    def test_yield_when_valet_is_unreachable_boots_anyway(self):
        self.valet_is(f"http://127.0.0.1:{free_port()}", "yield")   # nothing listens
        server = self.boot()
        self.assertEqual("host1", self.active_host(server))        # nova's own choice
        self.assertEqual(404, VALET.call("GET", f"/v1/placements/{server['id']}")[0])

    def test_reject_when_valet_is_unreachable(self):
        self.valet_is(f"http://127.0.0.1:{free_port()}", "reject")
        server = self.wait_for(self.boot(), "ERROR")
        self.assertIn("No valid host", server["fault"]["message"])


class TestAllegroAlias(ValetNovaTestCase):
    filter_name = "AllegroFilter"

    def test_the_original_name_obeys_the_plan_too(self):
        planned = self.plan("stack-legacy", {"orch-x": server_resource("x")},
                            locations=["host2"])
        server = self.boot({"heat_resource_uuid": "orch-x"})
        self.assertEqual(planned["orch-x"], self.active_host(server))
