"""One request never stalls the others (issue 11 §2): a real ``valet-api``
(gunicorn, two workers, SQLite, the sample inventory) over HTTP.

While a heavy plan is refused (a size limit, or the planning budget) or a
slow client trickles its body, another client's request is answered
within 1 s.  The bounds are liveness bounds, not performance figures:
before the limits a heavy plan held the store's write lock for 20-45 s,
and with sync workers two slow uploads left no worker for ``GET /``.
"""

import pathlib
import socket
import threading
import time

import pytest

from tests.support import live_server
from tests.support.live_server import call, free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "etc" / "valet" / "inventory.yaml"

#: Another client's request must be answered within this many seconds.
ANSWERED_WITHIN = 1.0


def server(name):
    return {"type": "OS::Nova::Server", "name": name, "properties": {"flavor": "m1.tiny"}}


def group(name, members, kind="affinity", level="cluster"):
    return {"type": "OS::Valet::GroupAssignment", "name": name,
            "properties": {"group_type": kind, "level": level, "resources": members}}


def identical_groups(servers=60, groups=300):
    """``servers`` servers, all in each of ``groups`` affinity(cluster) groups."""
    names = [f"s{index}" for index in range(servers)]
    resources = {name: server(name) for name in names}
    resources.update({f"g{index}": group(f"g{index}", names) for index in range(groups)})
    return resources


def nested_groups(depth=2000):
    """Two servers under a chain of ``depth`` groups, each holding the last."""
    resources = {"s0": server("s0"), "s1": server("s1")}
    inner = ["s0", "s1"]
    for index in range(depth):
        resources[f"g{index}"] = group(f"g{index}", inner)
        inner = [f"g{index}"]
    return resources


@pytest.fixture
def api(tmp_path):
    """``(base URL, start(**sections))``: a valet-api with two workers."""
    servers = []

    def start(**sections):
        port = free_port()
        sections.setdefault("api", {})["workers"] = 2
        conf = live_server.write_conf(tmp_path, port, INVENTORY, **sections)
        process, log = live_server.start_server(tmp_path, conf)
        servers.append((process, log))
        base = f"http://127.0.0.1:{port}"
        live_server.wait_until_up(base, process, timeout=30.0)
        warm_up(base)
        return base
    yield start
    for process, log in servers:
        live_server.stop(process, log)


def warm_up(base):
    """Requests in parallel, so each worker has loaded its engine cache
    (a worker's first use of the engine reads the store and the inventory)."""
    for _ in range(3):
        threads = [in_background(call, base, "GET", "/v1/plans")[0] for _ in range(6)]
        for thread in threads:
            thread.join(timeout=30)


def in_background(function, *args):
    """Run ``function(*args)`` in a thread; the returned list gets its answer."""
    answer = []
    thread = threading.Thread(target=lambda: answer.append(function(*args)), daemon=True)
    thread.start()
    return thread, answer


def timed(base, method, path, body=None):
    started = time.monotonic()
    status, answer = call(base, method, path, body)
    return status, answer, time.monotonic() - started


def small_plan(stack_id):
    return {"plan_name": stack_id, "stack_id": stack_id,
            "resources": {f"{stack_id}-web": server(f"{stack_id}-web")}}


def heavy_plan(stack_id, resources):
    return {"plan_name": stack_id, "stack_id": stack_id, "resources": resources}


def assert_answered_while(base, heavy, limit):
    """Send the ``heavy`` plans, then a small one: the small one is planned
    within :data:`ANSWERED_WITHIN`, each heavy one refused naming ``limit``."""
    started = [in_background(timed, base, "POST", "/v1/plans", plan) for plan in heavy]
    time.sleep(0.2)         # the heavy ones are in, and before the limits held the lock
    status, body, seconds = timed(base, "POST", "/v1/plans", small_plan("light"))
    assert status == 201, body
    assert seconds < ANSWERED_WITHIN, f"the light plan waited {seconds:.1f} s"
    for thread, answer in started:
        thread.join(timeout=60)
        status, body, _ = answer[0]
        assert status == 413, body
        assert body["error"]["type"] == "LimitExceeded"
        assert limit in body["error"]["message"]


def test_plans_over_a_limit_are_refused_and_another_client_is_answered(api):
    base = api()
    assert_answered_while(base, [heavy_plan("wide", identical_groups())],
                          "max_groups_per_plan")
    assert_answered_while(base, [heavy_plan("deep", nested_groups())], "max_groups_per_plan")
    for resources, limit in ((nested_groups(depth=100), "max_group_nesting"),
                             ({f"s{i}": server(f"s{i}") for i in range(1001)},
                              "max_resources_per_plan")):
        status, body = call(base, "POST", "/v1/plans", heavy_plan("big", resources))
        assert status == 413 and limit in body["error"]["message"], body
    status, body = call(base, "GET", "/v1/plans")
    assert sorted(plan["stack_id"] for plan in body["plans"]) == ["light"]


def test_the_budget_bounds_planning_within_the_limits(api):
    """Limits off: the whole planning (here the group checks) is bounded by
    ``request_time_budget``, and refused (nothing stored), on each of two
    workers, while another client is answered."""
    base = api(engine={"max_groups_per_plan": 0, "max_group_nesting": 0,
                       "request_time_budget": 0.5})
    heavy = [heavy_plan(f"deep-{index}", nested_groups()) for index in range(2)]
    assert_answered_while(base, heavy, "request_time_budget")
    status, body = call(base, "GET", "/v1/plans")
    assert sorted(plan["stack_id"] for plan in body["plans"]) == ["light"]


def test_identical_groups_within_the_limits_are_planned(api):
    """300 identical groups cost seconds of ordering before (each mate
    queued once per group); within the budget now."""
    base = api(engine={"max_groups_per_plan": 0, "request_time_budget": 5})
    status, body = call(base, "POST", "/v1/plans", heavy_plan("wide", identical_groups()))
    assert status == 201, body
    assert len({p["location"] for p in body["plan"]["placements"].values()}) >= 1


class SlowUpload:
    """A client that sends a plan request's headers, then one byte a second."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"POST /v1/plans HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stopped.wait(1.0):
            try:
                self.sock.sendall(b" ")
            except OSError:
                return

    def close(self):
        self.stopped.set()
        self.thread.join()
        self.sock.close()


def test_get_answers_while_two_slow_uploads_are_in_progress(api):
    base = api()
    port = int(base.rsplit(":", 1)[1])
    uploads = [SlowUpload(port) for _ in range(2)]
    try:
        time.sleep(1.5)      # both are being read by now
        for _ in range(3):
            status, _, seconds = timed(base, "GET", "/")
            assert status == 200
            assert seconds < ANSWERED_WITHIN, f"GET / took {seconds:.1f} s"
    finally:
        for upload in uploads:
            upload.close()
