"""Soft groups from Heat templates in a real heat engine (legacy and
convergence): a stack whose soft group cannot hold is created, its plan
names the rule it left unmet; ``OS::Valet::Group`` makes a soft named group."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

from tests.heat.test_legacy import SERVER
from tests.live_valet import HOSTS, plan_of
from tests.support.live_server import call

CROWD = [f"vm{i}" for i in range(len(HOSTS) + 1)]     # one more than the hosts
TEMPLATE = f"""
heat_template_version: 2018-08-31
resources:{"".join(SERVER.format(name=name) for name in CROWD)}
  apart:
    type: ATT::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      enforcement: soft
      resources: [{", ".join(f"{{get_resource: {name}}}" for name in CROWD)}]
"""
NAMED = """
heat_template_version: 2018-08-31
resources:
  loose:
    type: OS::Valet::Group
    properties: {{name: {name}, type: affinity, level: rack, enforcement: soft}}
"""


class SoftRules:

    def test_a_soft_group_that_cannot_hold_still_creates_the_stack(self):
        stack = self.create("soft", TEMPLATE, environment=self.environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        plan = plan_of(harness.VALET_URL, stack.id)
        # Spread as far as the hosts go (other tests' stacks may hold some of
        # the shared valet-api's hosts): never three on one, as packing would.
        hosts = [p["location"] for p in plan["placements"].values()]
        self.assertLessEqual(max(hosts.count(host) for host in hosts), 2, hosts)
        self.assertEqual(["apart"], [rule["group"] for rule in plan["unmet_soft_rules"]])
        self.assertEqual(len(CROWD), len(self.servers.created))
        self.delete(stack)

    def test_a_soft_named_group(self):
        name = f"loose-{type(self).__name__.lower()}"    # the valet-api is shared
        stack = self.create("named", NAMED.format(name=name))
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        status, body = call(harness.VALET_URL, "GET", f"/v1/groups/{name}")
        self.assertEqual((200, "soft"), (status, body["group"]["enforcement"]))
        self.delete(stack)
        self.assertEqual(404, call(harness.VALET_URL, "GET", f"/v1/groups/{name}")[0])


class Legacy(SoftRules, harness.HeatCase):
    convergence = False

    def environment(self):
        return None


class Convergence(SoftRules, harness.HeatCase):
    convergence = True

    def environment(self):
        return self.planned_environment()
