"""Heat's default convergence engine, which calls no lifecycle plugin: the
servers and volumes that the shipped environment maps to Valet's planned
types (etc/heat/environment.d/valet.yaml) plan their whole stack before
they are created (doc/decisions.md, "Heat")."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

from tests.heat.test_legacy import FILES, SERVER
from tests.live_valet import plan_of

STACK = """
heat_template_version: 2018-08-31
resources:
""" + "".join(SERVER.format(name=n) for n in ("web1", "web2", "db")) + """
  data:
    type: OS::Cinder::Volume
    properties: {size: 10, volume_type: lvm}
  web_apart:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      resources: [{get_resource: web1}, {get_resource: web2}]
  db_pipe:
    type: ATT::CloudQoS::Pipe
    properties: {resources: [{get_resource: db}, {get_resource: data}], bandwidth: 1 Gbps}
"""


class ConvergenceEngine(harness.HeatCase):

    convergence = True

    def test_without_valets_environment_nothing_is_planned(self):
        # The blocker (DESIGN §10): the lifecycle plugin is loaded, but
        # convergence never calls it.
        stack = self.create("unplanned", STACK)
        self.assertTrue(stack.convergence)
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_planned_servers_plan_the_whole_stack_first(self):
        stack = self.create("planned", STACK, environment=self.planned_environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        self.assertEqual("PlannedServer", type(stack["web1"]).__name__)
        placements = plan_of(harness.VALET_URL, stack.id)["placements"]
        expected = {stack[n].uuid: n for n in ("web1", "web2", "db", "data")}
        self.assertEqual(expected, {k: p["name"] for k, p in placements.items()})
        self.assertNotEqual(placements[stack["web1"].uuid]["location"],
                            placements[stack["web2"].uuid]["location"])
        hints = [a["scheduler_hints"]["heat_resource_uuid"] for a in self.servers.created]
        self.assertEqual({stack[n].uuid for n in ("web1", "web2", "db")}, set(hints))

    def test_update_adds_to_the_plan_and_delete_forgets_it(self):
        stack = self.create("growing", STACK, environment=self.planned_environment())
        before = plan_of(harness.VALET_URL, stack.id)["placements"]
        stack = self.update(stack, STACK + SERVER.format(name="web3"),
                            environment=self.planned_environment())
        self.assertEqual(("UPDATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        after = plan_of(harness.VALET_URL, stack.id)["placements"]
        self.assertEqual("web3", after[stack["web3"].uuid]["name"])
        for key, placement in before.items():
            self.assertEqual(placement["location"], after[key]["location"])
        self.delete(stack)
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_a_refusal_fails_the_stack_with_valets_reason(self):
        crowd = "".join(SERVER.format(name=f"vm{i}") for i in range(5))
        members = ", ".join(f"{{get_resource: vm{i}}}" for i in range(5))
        template = f"""
heat_template_version: 2018-08-31
resources:{crowd}
  apart:
    type: ATT::Valet::GroupAssignment
    properties: {{group_type: diversity, level: host, resources: [{members}]}}
"""
        stack = self.create("crowded", template, environment=self.planned_environment())
        self.assertEqual(("CREATE", "FAILED"), (stack.action, stack.status))
        self.assertIn("Valet refused", stack.status_reason)
        self.assertIn("apart", stack.status_reason)
        self.assertEqual([], self.servers.created)

    def test_a_nested_stack_joins_its_roots_plan(self):
        self.deliver_at_once = True
        template = STACK + "  tier:\n    type: file:///tier.yaml\n"
        stack = self.create("nesting", template, files=FILES,
                            environment=self.planned_environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        nested = stack["tier"].nested()
        placements = plan_of(harness.VALET_URL, stack.id)["placements"]
        expected = {stack[n].uuid: n for n in ("web1", "web2", "db", "data")}
        expected.update({nested[n].uuid: "tier." + n for n in ("app1", "app2")})
        self.assertEqual(expected, {k: p["name"] for k, p in placements.items()})
        self.assertEqual(placements[nested["app1"].uuid]["location"],
                         placements[nested["app2"].uuid]["location"])      # affinity
        self.assertIsNone(plan_of(harness.VALET_URL, nested.id))          # one plan: the root's
