"""Nova's ValetFilter sends the request id of the scheduling request it
serves (its RequestSpec's context: the id nova-scheduler's own log lines
show) as the global request id, and Valet's decision line names it."""

import re
import time

import fixtures

from tests.nova import base
from tests.nova.base import ValetNovaTestCase, setUpModule, tearDownModule
from valet_openstack import client as valet_client

__all__ = ["setUpModule", "tearDownModule"]


class TestRequestIds(ValetNovaTestCase):

    def test_the_scheduling_requests_id_is_the_global_id_of_valets_reserve(self):
        seen = []
        real = valet_client.global_id_of

        def recording(context):
            seen.append(context)
            return real(context)
        self.useFixture(fixtures.MonkeyPatch(
            "valet_openstack.client.global_id_of", recording))
        body = {"server": self._build_server(name="ids", flavor_id="1", networks="none")}
        server = self.api.post_server(body)
        self.active_host(server)

        self.assertEqual(1, len(seen))
        nova_id = seen[0].global_id
        self.assertRegex(nova_id, r"^req-[0-9a-f-]{36}$")     # nova's context, not None
        log = base.VALET.directory / "valet-api.log"
        pattern = re.compile(rf"\[{re.escape(nova_id)} req-[0-9a-f-]{{36}} .*"
                             rf"placement reserved: placement={server['id']} ")
        deadline = time.monotonic() + 10
        while not pattern.search(log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertRegex(log.read_text(), pattern)
