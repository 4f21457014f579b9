"""Cinder's ValetFilter as cinder-scheduler runs it: loaded through cinder's
own ``BackendFilterHandler('cinder.scheduler.filters')`` by the name
``scheduler_default_filters`` gives, filtering real ``BackendState``
objects, against a real valet-api (tests/live_valet.py)."""

import pytest
from cinder import objects

objects.register_all()  # NOTE: cinder.scheduler.filters needs it first (RECIPES §2)

from cinder.scheduler import filters, host_manager  # noqa: E402
from oslo_config import cfg  # noqa: E402

from tests.live_valet import BACKENDS, running_valet  # noqa: E402
from tests.support.live_server import call, free_port  # noqa: E402

VOLUME = {"type": "OS::Cinder::Volume", "name": "data",
          "properties": {"size": 10, "volume_type": "lvm"}}
POOLS = list(BACKENDS) + ["cinder-other@ceph#rbd"]


@pytest.fixture(scope="module")
def valet(tmp_path_factory):
    with running_valet(tmp_path_factory.mktemp("valet")) as base:
        yield base


@pytest.fixture
def conf(valet):
    loaded("ValetFilter")          # NOTE: importing the filter registers [valet]
    cfg.CONF([], project="cinder")
    cfg.CONF.set_override("url", valet, group="valet")
    cfg.CONF.set_override("retries", 0, group="valet")
    yield cfg.CONF
    cfg.CONF.clear_override("url", group="valet")
    cfg.CONF.clear_override("failure_mode", group="valet")


def loaded(name):
    """The filter class cinder's handler loads for ``name``, as its host
    manager picks the classes named in scheduler_default_filters."""
    handler = filters.BackendFilterHandler("cinder.scheduler.filters")
    classes = {cls.__name__: cls for cls in handler.get_all_classes()}
    return handler, classes[name]


def run(name, properties, pools=POOLS):
    handler, cls = loaded(name)
    backends = [host_manager.BackendState(pool, None) for pool in pools]
    passed = handler.get_filtered_objects([cls], backends, properties)
    return None if passed is None else [b.host for b in passed]


def plan_volume(base, stack_id, orch_id):
    status, body = call(base, "POST", "/v1/plans", {
        "plan_name": stack_id, "stack_id": stack_id, "resources": {orch_id: VOLUME}})
    assert status == 201, body
    return body["plan"]["placements"][orch_id]["location"]


def properties(orch_id=None, volume_id="volume-1"):
    hints = {"heat_resource_uuid": orch_id} if orch_id else {}
    return {"scheduler_hints": hints, "size": 10,
            "request_spec": {"volume_id": volume_id, "volume_properties": {"size": 10}}}


@pytest.mark.parametrize("name", ["ValetFilter", "AllegroFilter"])
def test_only_the_planned_backend_passes(conf, valet, name):
    orch_id = f"vol-{name}"
    planned = plan_volume(valet, f"stack-{name}", orch_id)
    assert planned in BACKENDS
    assert run(name, properties(orch_id, volume_id=f"cinder-{name}")) == [planned]
    status, body = call(valet, "GET", f"/v1/placements/{orch_id}")
    assert body["placement"]["reserved"] is True
    assert body["placement"]["resource_id"] == f"cinder-{name}"
    # A reschedule finds it again by the volume id alone.
    assert run(name, properties(None, volume_id=f"cinder-{name}")) == [planned]


def test_a_volume_planned_elsewhere_is_replanned_within_the_candidates(conf, valet):
    planned = plan_volume(valet, "stack-replan", "vol-replan")
    other = next(pool for pool in BACKENDS if pool != planned)
    assert run("ValetFilter", properties("vol-replan"), pools=[other, POOLS[-1]]) == [other]


def test_a_volume_in_no_plan_passes_everywhere(conf):
    assert run("ValetFilter", properties("not-planned", volume_id="v-free")) == POOLS
    assert run("ValetFilter", {"size": 1}) == POOLS


@pytest.mark.parametrize(("mode", "expected"), [("reject", []), ("yield", POOLS)])
def test_failure_mode_when_valet_is_down(conf, mode, expected):
    conf.set_override("url", f"http://127.0.0.1:{free_port()}", group="valet")
    conf.set_override("failure_mode", mode, group="valet")
    assert run("ValetFilter", properties("vol-any")) == expected
