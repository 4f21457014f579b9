"""Cinder's ValetFilter sends the request id of the scheduling request it
serves (``filter_properties["context"]``, as cinder's filter scheduler
passes it) as the global request id; Valet's decision line names it."""

import re
import time

import pytest
from cinder import context as cinder_context
from oslo_config import cfg

from tests.cinder.test_filter import loaded, plan_volume, properties, run
from tests.live_valet import running_valet


@pytest.fixture
def valet_dir(tmp_path):
    with running_valet(tmp_path) as base:
        yield base, tmp_path / "valet-api.log"


def test_the_scheduling_requests_id_is_the_global_id(valet_dir):
    base, log = valet_dir
    loaded("ValetFilter")
    cfg.CONF([], project="cinder")
    cfg.CONF.set_override("url", base, group="valet")
    try:
        planned = plan_volume(base, "stack-ids", "vol-ids")
        request = cinder_context.RequestContext(user_id="cinder", project_id="p",
                                                overwrite=False)
        filtering = {**properties("vol-ids", volume_id="cinder-ids"), "context": request}
        assert run("ValetFilter", filtering) == [planned]
    finally:
        cfg.CONF.clear_override("url", group="valet")
    pattern = re.compile(rf"\[{re.escape(request.request_id)} req-[0-9a-f-]{{36}} .*"
                         r"placement reserved: placement=vol-ids ")
    deadline = time.monotonic() + 10
    while not pattern.search(log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pattern.search(log.read_text()), log.read_text()[-2000:]
