"""Heat's legacy engine (``convergence_engine = false``) with Valet's
lifecycle plugin, loaded from its entry point: a real stack's create,
update and delete reach a real valet-api."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

from heat.common import template_format
from heat.engine import resources as heat_resources
from heat.engine import stack as heat_stack
from heat.engine import template
from oslo_config import cfg

from tests.live_valet import groups_by_host, plan_of
from tests.support.live_server import free_port
from valet_openstack.heat import plan as heat_plan

SERVER = """
  {name}:
    type: OS::Nova::Server
    properties: {{image: cirros, flavor: m1.small, user_data_format: RAW}}
"""

STACK = """
heat_template_version: 2018-08-31
resources:
""" + "".join(SERVER.format(name=n) for n in ("web1", "web2", "db")) + """
  data:
    type: OS::Cinder::Volume
    properties: {size: 10, volume_type: lvm}
  web_apart:
    type: ATT::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      resources: [{get_resource: web1}, {get_resource: web2}]
  db_near_data:
    type: ATT::QoS::ResourceGroup
    properties:
      relationship: affinity
      level: rack
      resources: [{get_resource: db}, {get_resource: data}]
  db_pipe:
    type: ATT::QoS::Pipe
    properties:
      resources: [{get_resource: web1}, {get_resource: db}]
      bandwidth: 100
  tier:
    type: file:///tier.yaml
"""

NESTED = """
heat_template_version: 2018-08-31
resources:
""" + "".join(SERVER.format(name=n) for n in ("app1", "app2")) + """
  app_together:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: affinity
      level: host
      resources: [{get_resource: app1}, {get_resource: app2}]
"""
FILES = {"file:///tier.yaml": NESTED}


class LegacyEngine(harness.HeatCase):

    def test_the_plugin_is_registered_by_its_entry_point(self):
        plugins = heat_resources.global_env().get_stack_lifecycle_plugins()
        self.assertIn("ValetLifecyclePlugin", {cls.__name__ for _, cls in plugins})

    def test_create_plans_the_whole_stack_under_heat_uuids(self):
        stack = self.create("whole", STACK, files=FILES)
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        nested = stack["tier"].nested()
        plan = plan_of(harness.VALET_URL, stack.id)
        servers = {n: stack[n] for n in ("web1", "web2", "db")}
        servers.update({"tier." + n: nested[n] for n in ("app1", "app2")})
        expected = {res.uuid: name for name, res in servers.items()}
        expected[stack["data"].uuid] = "data"
        self.assertEqual(expected, {k: p["name"] for k, p in plan["placements"].items()})
        hosts = {name: plan["placements"][res.uuid]["location"]
                 for name, res in servers.items()}
        self.assertNotEqual(hosts["web1"], hosts["web2"])                 # diversity
        self.assertEqual(hosts["tier.app1"], hosts["tier.app2"])          # affinity
        volume_rack = plan["placements"][stack["data"].uuid]["location"][7:9]
        self.assertEqual(volume_rack, hosts["db"][:2])                    # rack affinity
        groups = groups_by_host(harness.VALET_URL)
        self.assertIn("web_apart", groups[hosts["web1"]])
        self.assertIn("tier.app_together", groups[hosts["tier.app1"]])   # nested: its path
        # Nova is asked with the hint ValetFilter looks the placement up by.
        hints = {a["name"]: a["scheduler_hints"] for a in self.servers.created}
        for res in servers.values():
            server_name = res.physical_resource_name()
            self.assertEqual(res.uuid, hints[server_name]["heat_resource_uuid"])

    def test_update_and_delete_reach_valet(self):
        stack = self.create("grows", STACK, files=FILES)
        before = plan_of(harness.VALET_URL, stack.id)["placements"]
        grown = STACK + SERVER.format(name="web3")
        stack = self.update(stack, grown.replace(
            "[{get_resource: web1}, {get_resource: web2}]",
            "[{get_resource: web1}, {get_resource: web2}, {get_resource: web3}]"), files=FILES)
        self.assertEqual(("UPDATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        after = plan_of(harness.VALET_URL, stack.id)["placements"]
        web3 = [p for p in after.values() if p["name"] == "web3"]
        self.assertEqual(1, len(web3))
        for key, placement in before.items():                             # kept in place
            self.assertEqual(placement["location"], after[key]["location"])
        web_hosts = {after[stack[n].uuid]["location"] for n in ("web1", "web2")}
        self.assertNotIn(web3[0]["location"], web_hosts)
        self.delete(stack)
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_a_refusal_fails_the_stack_with_valets_reason(self):
        crowd = "".join(SERVER.format(name=f"vm{i}") for i in range(5))
        members = ", ".join(f"{{get_resource: vm{i}}}" for i in range(5))
        template = f"""
heat_template_version: 2018-08-31
resources:{crowd}
  apart:
    type: OS::Valet::GroupAssignment
    properties: {{group_type: diversity, level: host, resources: [{members}]}}
"""
        stack = self.create("crowded", template)
        self.assertEqual(("CREATE", "FAILED"), (stack.action, stack.status))
        self.assertIn("Valet refused", stack.status_reason)
        self.assertIn("apart", stack.status_reason)
        self.assertEqual([], self.servers.created)                     # nothing was built
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_a_nested_stack_not_built_yet_is_planned_under_provisional_ids(self):
        stack = heat_stack.Stack(self.context, "unbuilt", template.Template(
            template_format.parse(STACK), files=FILES))
        stack.store()
        stack._store_resources()      # what Stack.create() does before its pre-ops
        resources = heat_plan.plan_resources(stack)
        names = {entry["name"]: key for key, entry in resources.items()}
        self.assertEqual({"web1", "web2", "db", "data", "web_apart", "db_near_data", "db_pipe",
                          "tier.app1", "tier.app2", "tier.app_together"}, set(names))
        self.assertEqual(stack["web1"].uuid, names["web1"])
        again = heat_plan.plan_resources(stack)
        again_names = {entry["name"]: key for key, entry in again.items()}
        self.assertEqual(names["tier.app1"], again_names["tier.app1"])
        self.assertEqual([names["tier.app1"], names["tier.app2"]],
                         resources[names["tier.app_together"]]["properties"]["resources"])

    def test_with_planned_servers_an_update_plans_new_servers_under_their_uuids(self):
        # The lifecycle plugin sees a new server before Heat stores it (no
        # uuid yet: a provisional id); the planned server, created next,
        # puts it in the plan under the uuid Nova will be given.
        env = self.planned_environment()
        stack = self.create("mapped", STACK, files=FILES, environment=env)
        stack = self.update(stack, STACK + SERVER.format(name="web3"), files=FILES,
                            environment=env)
        self.assertEqual(("UPDATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        placements = plan_of(harness.VALET_URL, stack.id)["placements"]
        self.assertEqual("web3", placements[stack["web3"].uuid]["name"])
        self.assertEqual(1, sum(p["name"] == "web3" for p in placements.values()))
        self.delete(stack)
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_with_valet_down_reject_fails_the_stack_and_yield_goes_on(self):
        cfg.CONF.set_override("url", f"http://127.0.0.1:{free_port()}", group="valet")
        two = STACK.split("  data:")[0]        # web1, web2, db
        stack = self.create("rejected", two)
        self.assertEqual(("CREATE", "FAILED"), (stack.action, stack.status))
        self.assertIn("failure_mode = reject", stack.status_reason)
        self.assertEqual([], self.servers.created)
        cfg.CONF.set_override("failure_mode", "yield", group="valet")
        stack = self.create("yielded", two)
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        self.assertEqual(3, len(self.servers.created))
