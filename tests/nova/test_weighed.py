"""``ValetFilter`` with ``ValetWeigher`` in a real in-process nova
(:mod:`tests.nova.base`): multi-create requests and alternates for a
failed build."""

import fixtures
from nova import test
from nova.virt import fake as fake_driver

from tests.nova import base, leader
from tests.nova.base import ValetNovaTestCase, server_resource, setUpModule, tearDownModule
from valet_openstack import client as valet_client

__all__ = ["setUpModule", "tearDownModule"]


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
        base.VALET.expect(201, "POST", "/v1/groups",
                     {"name": "trio", "type": "diversity", "level": "host"})
        hosts = self.boot_many(3, {"valet_groups": "trio"})
        self.assertEqual(3, len(set(hosts)), hosts)
        # Planned as one request: one plan of three servers.
        plans = base.VALET.expect(200, "GET", "/v1/plans")["plans"]
        self.assertEqual(1, len(plans))
        self.assertEqual(3, len(base.VALET.expect(200, "GET", "/v1/plans/" + plans[0]["id"])
                                ["plan"]["placements"]))

    def test_one_request_for_three_servers_in_an_affinity_group_takes_one_host(self):
        base.VALET.expect(201, "POST", "/v1/groups",
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
        leader.sync_once(base.VALET, self.api.base_url)
        placement = self.valet_placement(second["id"])
        self.assertEqual(("host4", "orch-web-2"),
                         (placement["location"], placement["orchestration_id"]))
        self.assertEqual({}, base.VALET.expect(200, "GET", "/v1/resources")["resources"])
