"""Two nested stacks of one root built at once under Heat's convergence
engine (issue 12 §4): their workers interleave, and each plans the root
with what it can see of the other.  Every server must still boot on its
place in the root's plan, under its own uuid, with its stack's rules; a
stack Valet refuses must fail before any server is booted."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

from heat.objects import stack as stack_object

from tests.heat.test_legacy import SERVER
from tests.live_valet import plan_of
from tests.support.live_server import call
from valet_openstack import client as valet_client
from valet_openstack.heat import hook, join
from valet_openstack.heat import plan as heat_plan


def tier(names, rule):
    members = ", ".join(f"{{get_resource: {name}}}" for name in names)
    return ("heat_template_version: 2018-08-31\nresources:"
            + "".join(SERVER.format(name=name) for name in names) + f"""
  together:
    type: OS::Valet::GroupAssignment
    properties: {{group_type: {rule}, level: host, resources: [{members}]}}
""")


FILES = {"file:///tier1.yaml": tier(("app1", "app2"), "affinity"),
         "file:///tier2.yaml": tier(("db1", "db2", "db3"), "diversity")}
ROOT = """
heat_template_version: 2018-08-31
resources:
""" + SERVER.format(name="front") + SERVER.format(name="back") + """
  front_apart:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      resources: [{get_resource: front}, {get_resource: back}]
  tier1:
    type: file:///tier1.yaml
  tier2:
    type: file:///tier2.yaml
"""


class NestedStacksAtOnce(harness.HeatCase):

    convergence = True

    def setUp(self):
        super().setUp()
        # NOTE: a worker waiting on a task lets the next message run, as
        # parallel heat-engine workers would: both tiers are built before
        # either's servers are planned, and each worker plans in between.
        self.interleave = True
        self.nested_seen = []
        self.servers.scheduler = self.boot

    def boot(self, server_id, arguments):
        """Nova's side of a boot: what Heat had built by then, and Valet's answer."""
        hints = arguments["scheduler_hints"]
        if hints["heat_stack_id"] != hints["heat_root_stack_id"]:
            self.nested_seen.append(len(list(stack_object.Stack.get_all_by_owner_id(
                self.context, hints["heat_root_stack_id"]))))
        return harness.reserve_like_nova(server_id, arguments)

    def test_every_server_keeps_its_place_in_the_roots_plan(self):
        stack = self.create("tiers", ROOT, files=FILES, environment=self.planned_environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        self.assertEqual([2] * 5, self.nested_seen)   # both tiers existed at each tier's boot
        one, two = stack["tier1"].nested(), stack["tier2"].nested()
        servers = {"front": stack["front"], "back": stack["back"]}
        servers.update({"tier1." + n: one[n] for n in ("app1", "app2")})
        servers.update({"tier2." + n: two[n] for n in ("db1", "db2", "db3")})
        placements = plan_of(harness.VALET_URL, stack.id)["placements"]
        self.assertEqual({res.uuid: name for name, res in servers.items()},
                         {key: placed["name"] for key, placed in placements.items()})
        # Nova found each server's placement by its heat_resource_uuid, and
        # the plan still holds it, reserved, where Nova booted the server.
        booted = {answer["id"]: answer["location"] for answer in self.servers.placed.values()}
        self.assertEqual({res.uuid: placements[res.uuid]["location"]
                          for res in servers.values()}, booted)
        for res in servers.values():
            status, body = call(harness.VALET_URL, "GET", f"/v1/placements/{res.uuid}")
            self.assertEqual((200, True), (status, body["placement"]["reserved"]), body)
        hosts = {name: placements[res.uuid]["location"] for name, res in servers.items()}
        self.assertNotEqual(hosts["front"], hosts["back"])
        self.assertEqual(hosts["tier1.app1"], hosts["tier1.app2"])
        self.assertEqual(3, len({hosts[f"tier2.db{i}"] for i in (1, 2, 3)}))
        self.assertIn("tier2.together", placements[two["db1"].uuid]["groups"])
        # No server was planned ad hoc: no plan but the root's holds them.
        status, body = call(harness.VALET_URL, "GET", "/v1/plans")
        self.assertEqual(200, status, body)
        ours = set(self.servers.placed) | {res.uuid for res in servers.values()}
        holding = [plan for plan in body["plans"] if ours & set(plan["placements"])]
        self.assertEqual([stack.id], [plan["stack_id"] for plan in holding])
        self.assertIsNone(plan_of(harness.VALET_URL, one.id))
        self.assertIsNone(plan_of(harness.VALET_URL, two.id))

    def test_a_refusal_fails_the_stack_before_any_server_boots(self):
        crowded = dict(FILES)
        crowded["file:///tier2.yaml"] = tier(tuple(f"db{i}" for i in range(5)), "diversity")
        stack = self.create("crowded-tiers", ROOT, files=crowded,
                            environment=self.planned_environment())
        self.assertEqual(("CREATE", "FAILED"), (stack.action, stack.status))
        self.assertIn("Valet refused", stack.status_reason)
        self.assertEqual([], self.servers.created)
        self.assertIsNone(plan_of(harness.VALET_URL, stack.id))

    def test_a_worker_that_saw_less_never_undoes_a_join(self):
        stack = self.create("late", ROOT, files=FILES, environment=self.planned_environment())
        before = plan_of(harness.VALET_URL, stack.id)["placements"]
        two = stack["tier2"].nested()
        # What a tier1 worker sent before tier2 was stored: tier2 provisional.
        unseen = {two[name].uuid: heat_plan.provisional_id(stack.id, "tier2." + name)
                  for name in ("db1", "db2", "db3")}
        seen = {}
        for key, entry in heat_plan.plan_resources(stack).items():
            members = entry["properties"].get("resources")
            if members:
                entry["properties"]["resources"] = [unseen.get(m, m) for m in members]
            seen[unseen.get(key, key)] = entry
        api = hook.client(self.context)
        join.join(api, stack, seen)
        self.assertEqual(before, plan_of(harness.VALET_URL, stack.id)["placements"])
        # A write merged with a revision another worker has since changed is refused.
        _, revision = api.get_plan_revision(stack.id)
        grown = dict(heat_plan.plan_resources(stack), extra={
            "type": "OS::Nova::Server", "name": "extra", "properties": {"flavor": "m1.small"}})
        api.update_plan(stack.id, grown, if_revision=revision)           # another worker
        with self.assertRaises(valet_client.Stale):
            api.update_plan(stack.id, seen, if_revision=revision)
        self.assertEqual(set(before) | {"extra"},
                         set(plan_of(harness.VALET_URL, stack.id)["placements"]))
