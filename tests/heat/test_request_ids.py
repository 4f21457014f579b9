"""Heat's hooks send the request id of the stack's context (the Heat API
request behind the create or delete) as the global request id; Valet's
decision lines name it.  Both hooks: the lifecycle plugin (legacy engine)
and the planned server type (convergence)."""

from tests.heat import harness  # isort: skip  (heat.tests.common first)

import contextlib
import pathlib
import re
import tempfile

from oslo_config import cfg

from tests.live_valet import running_valet

STACK = """
heat_template_version: 2018-08-31
resources:
  web:
    type: OS::Nova::Server
    properties: {image: cirros, flavor: m1.small, user_data_format: RAW}
"""


class LegacyRequestIds(harness.HeatCase):
    """A valet-api of its own, so its log holds only this test's lines."""

    def setUp(self):
        super().setUp()
        stack = contextlib.ExitStack()
        self.addCleanup(stack.close)
        directory = pathlib.Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cfg.CONF.set_override("url", stack.enter_context(running_valet(directory)),
                              group="valet")
        self.log = directory / "valet-api.log"

    def environment(self):
        return {}

    def test_create_and_delete_name_the_heat_requests_id(self):
        global_id = self.context.global_id
        self.assertRegex(global_id, r"^req-[0-9a-f-]{36}$")
        stack = self.create("ids", STACK, environment=self.environment())
        self.assertEqual(("CREATE", "COMPLETE"), (stack.action, stack.status),
                         stack.status_reason)
        self.delete(stack)
        text = self.log.read_text()
        for decision in ("plan created", "plan deleted"):
            self.assertRegex(text, re.compile(
                rf"\[{re.escape(global_id)} req-[0-9a-f-]{{36}} .*{decision}: .*"
                rf"stack={stack.id} "))


class ConvergenceRequestIds(LegacyRequestIds):
    convergence = True

    def environment(self):
        return self.planned_environment()
