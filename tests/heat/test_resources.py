"""Valet's resource types in a real heat engine: OS::Valet::Group through
the real API, and every example template under etc/heat/examples (each
validates, and creates a planned stack)."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

import pathlib

from heat.common import template_format
from heat.engine import environment, template
from heat.engine import stack as heat_stack

from tests.live_valet import plan_of
from tests.support.live_server import call

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "etc" / "heat" / "examples"
GROUP = """
heat_template_version: 2018-08-31
resources:
  team:
    type: OS::Valet::Group
    properties:
      name: {name}
      type: exclusivity
      level: rack
      description: {description}
      members: {members}
"""


def group(name):
    status, body = call(harness.VALET_URL, "GET", f"/v1/groups/{name}")
    return body["group"] if status == 200 else None


class ResourceTypes(harness.HeatCase):

    def test_every_example_validates(self):
        names = sorted(path.name for path in EXAMPLES.glob("*.yaml"))
        self.assertEqual(["group_assignment.yaml", "named_group.yaml", "planned_server.yaml",
                          "qos_pipe.yaml", "qos_resource_group.yaml",
                          "server_in_named_group.yaml"], names)
        for name in names:
            tmpl = template.Template(template_format.parse((EXAMPLES / name).read_text()),
                                     env=environment.Environment({}))
            heat_stack.Stack(self.context, name.split(".")[0], tmpl).validate()

    def test_every_example_creates_a_planned_stack(self):
        # named_group.yaml first: server_in_named_group.yaml joins its group.
        order = ["named_group.yaml", "server_in_named_group.yaml", "group_assignment.yaml",
                 "qos_resource_group.yaml", "qos_pipe.yaml", "planned_server.yaml"]
        stacks = []
        for name in order:
            stack = self.create(name.split(".")[0], (EXAMPLES / name).read_text())
            self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                             f"{name}: {stack.status_reason}")
            stacks.append(stack)
            placed = {res.uuid for res in stack.resources.values()
                      if res.type() in ("OS::Nova::Server", "OS::Cinder::Volume",
                                        "OS::Valet::Server", "OS::Valet::Volume")}
            plan = plan_of(harness.VALET_URL, stack.id)
            self.assertEqual(placed, set(plan["placements"]) if plan else set(), name)
        self.assertEqual("diversity", group("web-ha")["type"])
        for stack in reversed(stacks):
            self.delete(stack)
        self.assertIsNone(group("web-ha"))

    def test_a_named_group_is_created_updated_and_deleted_through_the_api(self):
        stack = self.create("team", GROUP.format(name="team-a", description="first",
                                                 members="[p1]"))
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        created = group("team-a")
        self.assertEqual(("exclusivity", "rack", "first", ["p1"]),
                         (created["type"], created["level"], created["description"],
                          created["members"]))
        self.assertEqual(created["id"], stack["team"].resource_id)
        stack = self.update(stack, GROUP.format(name="team-a", description="second",
                                                members="[p2, p3]"))
        self.assertEqual(("UPDATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        updated = group("team-a")
        self.assertEqual(created["id"], updated["id"])                 # updated in place
        self.assertEqual(("second", ["p2", "p3"]),
                         (updated["description"], sorted(updated["members"])))
        self.delete(stack)
        self.assertIsNone(group("team-a"))

    def test_a_stack_may_create_the_named_group_its_servers_join(self):
        servers = "".join(f"""
  {name}:
    type: OS::Nova::Server
    properties:
      image: cirros
      flavor: m1.small
      user_data_format: RAW
      metadata: {{valet: {{groups: [{{get_resource: team}}]}}}}
""" for name in ("one", "two"))
        template = GROUP.format(name="team-b", description="apart", members="[]").replace(
            "exclusivity", "diversity").replace("rack", "host") + servers
        stack = self.create("team-b", template, environment=self.planned_environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        placements = plan_of(harness.VALET_URL, stack.id)["placements"]
        hosts = {placements[stack[n].uuid]["location"] for n in ("one", "two")}
        self.assertEqual(2, len(hosts))
        self.delete(stack)
        self.assertIsNone(group("team-b"))
