"""``ValetFilter`` inside a real in-process nova (API, conductor, scheduler,
placement, four fake computes) talking to a real ``valet-api`` over HTTP
(:mod:`tests.nova.base`).

nova's ``HostNameWeigherFixture`` makes nova alone prefer host1, then host2:
a server that lands elsewhere landed there because Valet said so.
"""

import time

import fixtures
from keystoneauth1 import loading as ks_loading
from nova.virt import fake as fake_driver

from tests.nova import base, leader
from tests.nova.base import ValetNovaTestCase, server_resource, setUpModule, tearDownModule
from tests.nova.valet_server import SilentServer
from tests.support.live_server import free_port
from valet_openstack import client as valet_client

__all__ = ["setUpModule", "tearDownModule"]


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
        base.VALET.expect(201, "POST", "/v1/groups",
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

    def test_a_boot_with_the_servers_hints_but_no_heat_id_finds_its_placement(self):
        # Heat without stack_scheduler_hints: nova gets the template's own
        # scheduler_hints, which Valet keeps as the placement's metadata.
        resource = server_resource("app")
        resource["properties"]["scheduler_hints"] = {"app_tier": "web"}
        planned = self.plan("stack-hints", {"orch-app": resource}, locations=["host3"])
        server = self.boot({"app_tier": "web"})
        self.assertEqual(planned["orch-app"], self.active_host(server))
        self.assertEqual("orch-app", self.valet_placement(server["id"])["orchestration_id"])
        self.assertEqual(1, len(base.VALET.expect(200, "GET", "/v1/plans")["plans"]))

    def test_heat_hint_valet_does_not_know_is_placed_ad_hoc(self):
        server = self.boot({"heat_resource_uuid": "orch-never-planned"})
        host = self.active_host(server)
        self.assert_reserved_for(server, host)


class TestAdHoc(ValetNovaTestCase):

    def test_servers_without_heat_join_a_named_diversity_group(self):
        base.VALET.expect(201, "POST", "/v1/groups",
                     {"name": "cache-ha", "type": "diversity", "level": "host"})
        first = self.boot({"valet_groups": "cache-ha"})
        first_host = self.active_host(first)
        second = self.boot({"valet_groups": ["cache-ha"]})
        second_host = self.active_host(second)
        self.assertNotEqual(first_host, second_host)
        for server, host in ((first, first_host), (second, second_host)):
            self.assert_reserved_for(server, host)
        group = base.VALET.expect(200, "GET", "/v1/hosts/" + first_host)["host"]
        self.assertIn("cache-ha", str(group))

    def test_three_ad_hoc_servers_booted_in_parallel_stay_diverse(self):
        base.VALET.expect(201, "POST", "/v1/groups",
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
        log = (base.VALET.directory / "valet-api.log").read_text(errors="replace")
        self.assertIn(f"nova-server-group-{group['id']}", log)
        self.assertRegex(log, rf"refused .*{refused[0]['id']}.*: NoPlacement")

    def test_max_server_per_host_is_the_valet_groups_per_host_limit(self):
        group = self.api.post_server_groups({"name": "pairs", "policy": "anti-affinity",
                                             "rules": {"max_server_per_host": 2}})
        servers = [self.settled(self.boot({"group": group["id"]})) for _ in range(3)]
        hosts = [server["OS-EXT-SRV-ATTR:host"] for server in servers]
        self.assertEqual(["ACTIVE"] * 3, [server["status"] for server in servers])
        # Valet packs up to the limit (plain anti-affinity would take three
        # hosts; no rule at all, one).
        self.assertEqual([1, 2], sorted(hosts.count(host) for host in set(hosts)), hosts)
        shown = base.VALET.expect(200, "GET", f"/v1/groups/nova-server-group-{group['id']}")
        self.assertEqual(2, shown["group"]["max_per_domain"])

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
        return base.VALET.expect(200, "GET", f"/v1/hosts/{host}")["host"]["used"]["memory_mb"]

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
        leader.sync_once(base.VALET, self.api.base_url)
        self.assert_reserved_for(server, source)
        self.assertEqual((512, 0), (self.host_used(source), self.host_used(target)))

    def test_a_member_only_group_admits_only_its_members_servers(self):
        # The ad hoc plan is the instance's project's (not nova's service
        # project's), so the group's member list decides.
        plain = self.wait_for(self.boot(), "ACTIVE")
        project = plain["tenant_id"]
        base.VALET.expect(201, "POST", "/v1/groups", {"name": "ours", "type": "diversity",
                                                 "level": "host", "members": [project]})
        base.VALET.expect(201, "POST", "/v1/groups", {"name": "theirs", "type": "diversity",
                                                 "level": "host", "members": ["another"]})
        admitted = self.boot({"valet_groups": "ours"})
        self.assert_reserved_for(admitted, self.active_host(admitted))
        refused = self.wait_for(self.boot({"valet_groups": "theirs"}), "ERROR")
        self.assertIn("No valid host", refused["fault"]["message"])

    def test_unknown_group_is_refused_with_no_valid_host(self):
        server = self.boot({"valet_groups": "no-such-group"})
        server = self.wait_for(server, "ERROR")
        self.assertIn("No valid host", server["fault"]["message"])


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
        self.assertEqual(404, base.VALET.call("GET", f"/v1/placements/{server['id']}")[0])

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
