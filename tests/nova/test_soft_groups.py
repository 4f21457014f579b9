"""Nova's soft server group policies inside a real in-process nova: a boot
into a soft-anti-affinity or soft-affinity server group is planned with a
soft Valet group (doc/openstack.md), so nova still boots every server when
the rule cannot hold, and Valet says which rule it left unmet.

Nova refuses soft policies unless its soft weighers are configured, as an
operator's nova must be; Valet's filter still passes only the planned host.
"""

from tests.nova import base
from tests.nova.base import ValetNovaTestCase, setUpModule, tearDownModule

__all__ = ["setUpModule", "tearDownModule"]


class TestSoftServerGroups(ValetNovaTestCase):
    weighers = ("nova.scheduler.weights.affinity.ServerGroupSoftAffinityWeigher",
                "nova.scheduler.weights.affinity.ServerGroupSoftAntiAffinityWeigher")

    def test_a_soft_anti_affinity_server_group_spreads_and_then_shares(self):
        group = self.api.post_server_groups({"name": "loose", "policy": "soft-anti-affinity"})
        servers = [self.settled(self.boot({"group": group["id"]})) for _ in range(5)]
        self.assertEqual(["ACTIVE"] * 5, [server["status"] for server in servers])
        hosts = [server["OS-EXT-SRV-ATTR:host"] for server in servers]
        # Every compute before any second member on one (four computes).
        self.assertEqual([1, 1, 1, 2], sorted(hosts.count(host) for host in set(hosts)), hosts)
        name = f"nova-server-group-{group['id']}"
        shown = base.VALET.expect(200, "GET", f"/v1/groups/{name}")
        self.assertEqual("soft", shown["group"]["enforcement"])
        plans = base.VALET.expect(200, "GET", "/v1/plans")["plans"]
        unmet = [rule for plan in plans for rule in plan.get("unmet_soft_rules", [])]
        self.assertEqual({name}, {rule["group"] for rule in unmet})
        self.assertEqual({}, base.VALET.expect(200, "GET", "/v1/resources")["resources"])

    def test_a_soft_affinity_server_group_shares_until_the_host_is_full(self):
        # m1.small is 2048 MB; a fake compute has 8192 MB of which nova keeps
        # 512 MB for the host (reserved_host_memory_mb), so nova lets three
        # share one: the fourth goes to another host Nova offers.
        group = self.api.post_server_groups({"name": "close", "policy": "soft-affinity"})
        servers = [self.settled(self.boot({"group": group["id"]}, flavor_id="2"))
                   for _ in range(4)]
        self.assertEqual(["ACTIVE"] * 4, [server["status"] for server in servers],
                         [server.get("fault") for server in servers])
        hosts = [server["OS-EXT-SRV-ATTR:host"] for server in servers]
        self.assertEqual([1, 3], sorted(hosts.count(host) for host in set(hosts)), hosts)
        plans = base.VALET.expect(200, "GET", "/v1/plans")["plans"]
        unmet = [rule for plan in plans for rule in plan.get("unmet_soft_rules", [])]
        self.assertEqual({f"nova-server-group-{group['id']}"}, {rule["group"] for rule in unmet})
