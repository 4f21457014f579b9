"""``valet_openstack.client.ValetClient`` against a real ``valet-api``
process (the sample inventory), and against tiny local servers that fail in
the ways a cloud does: 503s, a closed port, a server that never answers."""

import http.server
import socket
import threading
import time

import pytest
from oslo_config import cfg

from tests.api.test_server import write_conf
from tests.support.live_server import free_port, serving
from valet_openstack import client, options


def make_client(url=None, legacy_url=None, **valet):
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf([], project="valet-client-test")
    if url:
        conf.set_override("url", url, group="valet")
    if legacy_url:
        conf.set_override("allegro_api_server_url", legacy_url, group="allegro")
    for key, value in valet.items():
        conf.set_override(key, value, group="valet")
    return client.ValetClient(conf)


@pytest.fixture(scope="module")
def valet_url(tmp_path_factory):
    """One real valet-api for the module (noauth, SQLite, the sample inventory)."""
    directory = tmp_path_factory.mktemp("valet-client")
    port = free_port()
    with serving(directory, write_conf(directory, port), port, timeout=30.0) as url:
        yield url


@pytest.fixture
def valet(valet_url):
    return make_client(valet_url)


def server(name, groups=(), flavor="m1.small"):
    return {"type": "OS::Nova::Server", "name": name,
            "properties": {"flavor": flavor, "metadata": {"valet": {"groups": list(groups)}}}}


def test_plan_reserve_release_round_trip(valet):
    group = valet.create_group("client-web", "diversity", "host", "two web servers apart")
    assert (group["name"], group["type"], group["level"]) == ("client-web", "diversity", "host")
    plan = valet.create_plan("client-stack-1", {"w1": server("w1", ["client-web"]),
                                                "w2": server("w2", ["client-web"])})
    hosts = {orch_id: p["location"] for orch_id, p in plan["placements"].items()}
    assert set(hosts) == {"w1", "w2"} and hosts["w1"] != hosts["w2"]
    assert valet.get_plan("client-stack-1")["id"] == plan["id"]     # by stack id

    placement = valet.reserve("w1", [hosts["w1"], hosts["w2"]], resource_id="nova-uuid-1")
    assert (placement["location"], placement["reserved"], placement["resource_id"]) == \
        (hosts["w1"], True, "nova-uuid-1")
    assert valet.get_placement("nova-uuid-1")["orchestration_id"] == "w1"

    valet.release("w1")
    valet.release("w1")                              # idempotent
    with pytest.raises(client.NotFound):
        valet.get_placement("w1")
    valet.delete_plan(plan["id"])
    valet.delete_plan(plan["id"])                    # idempotent
    with pytest.raises(client.NotFound):
        valet.get_plan(plan["id"])
    valet.delete_group("client-web")


def test_reserve_outside_the_planned_host_replans_within_locations(valet):
    plan = valet.create_plan("client-stack-2", {"a": server("a")})
    planned = plan["placements"]["a"]["location"]
    elsewhere = "c01r03h05" if planned != "c01r03h05" else "c01r03h06"
    placement = valet.reserve("a", [elsewhere], resource_id="nova-uuid-2")
    assert (placement["location"], placement["reserved"]) == (elsewhere, True)
    assert valet.get_plan(plan["id"])["placements"]["a"]["location"] == elsewhere
    valet.delete_plan(plan["id"])


def test_refusal_is_typed_and_carries_valets_reason(valet):
    valet.create_group("client-pair", "diversity", "host")
    resources = {"p1": server("p1", ["client-pair"]), "p2": server("p2", ["client-pair"])}
    with pytest.raises(client.Conflict) as refused:
        valet.create_plan("client-stack-3", resources, locations=["c01r02h01"])
    assert refused.value.status == 409 and refused.value.kind == "NoPlacement"
    assert "client-pair" in refused.value.message     # names the group at fault
    valet.delete_group("client-pair")


def test_bad_request_and_not_found_are_typed(valet):
    with pytest.raises(client.BadRequest) as bad:
        valet.create_plan("client-stack-4", {"x": server("x", flavor="m9.huge")})
    assert bad.value.status == 400 and "m9.huge" in bad.value.message
    with pytest.raises(client.NotFound) as missing:
        valet.reserve("no-such-placement", ["c01r01h01"])
    assert missing.value.status == 404 and "no-such-placement" in missing.value.message
    assert isinstance(missing.value, client.ValetError)


def test_legacy_allegro_url_with_a_trailing_v1(valet_url):
    legacy = make_client(legacy_url=valet_url + "/v1/")
    assert legacy.endpoint == valet_url
    group = legacy.create_group("client-legacy", "affinity", "rack")
    assert legacy.get_group("client-legacy")["id"] == group["id"]
    legacy.delete_group("client-legacy")
    # [valet] url wins over the legacy name.
    both = make_client(url=valet_url, legacy_url="http://127.0.0.1:9/v1")
    assert both.endpoint == valet_url


class CountingServer(http.server.ThreadingHTTPServer):
    """Answers every request with ``status`` and an error body; records
    when each attempt arrived."""

    def __init__(self, status):
        self.status, self.arrivals = status, []
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):        # noqa: N802 (http.server's naming)
        self.server.arrivals.append(time.monotonic())
        body = b'{"error": {"message": "engine restarting", "type": "ServiceUnavailable"}}'
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_server():
    servers = []

    def start(status):
        server = CountingServer(status)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_503_is_retried_a_bounded_number_of_times_with_growing_delays(counting_server):
    server = counting_server(503)
    valet = make_client(server.url, retries=2, retry_delay=0.05)
    with pytest.raises(client.Unavailable) as unavailable:
        valet.reserve("a", ["h1"])
    assert len(server.arrivals) == 3                      # retries + 1
    assert unavailable.value.status == 503
    assert "engine restarting" in unavailable.value.message
    first, second, third = server.arrivals
    first_gap, second_gap = second - first, third - second
    assert first_gap >= 0.05 and second_gap >= 0.1        # the delay doubles


def test_other_errors_are_not_retried(counting_server):
    server = counting_server(500)
    with pytest.raises(client.Unavailable) as unavailable:
        make_client(server.url, retries=3, retry_delay=0.0).reserve("a", ["h1"])
    assert (len(server.arrivals), unavailable.value.status) == (1, 500)


def test_closed_port_is_unavailable(counting_server):
    valet = make_client(f"http://127.0.0.1:{free_port()}", retries=1, retry_delay=0.0)
    with pytest.raises(client.Unavailable) as unavailable:
        valet.get_plan("anything")
    assert unavailable.value.status is None


def test_a_server_that_never_answers_costs_read_timeout_per_attempt():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    valet = make_client(f"http://127.0.0.1:{listener.getsockname()[1]}",
                        read_timeout=0.2, retries=1, retry_delay=0.0)
    started = time.monotonic()
    try:
        with pytest.raises(client.Unavailable):
            valet.reserve("a", ["h1"])
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
    assert len(accepted) == 2                             # retries + 1
    # Each attempt waited for read_timeout before giving up.
    assert time.monotonic() - started >= 2 * 0.2


def test_group_description_and_members(valet):
    valet.create_group("client-members", "exclusivity", "rack")
    assert valet.update_group("client-members", "for tenant a")["description"] == "for tenant a"
    assert valet.add_members("client-members", ["project-a", "project-b"])["members"] == \
        ["project-a", "project-b"]
    valet.remove_member("client-members", "project-a")
    assert valet.get_group("client-members")["members"] == ["project-b"]
    with pytest.raises(client.NotFound):
        valet.remove_member("client-members", "project-a")
    valet.remove_member("client-members", "project-b")
    valet.delete_group("client-members")
    valet.delete_group("client-members")             # idempotent
    with pytest.raises(client.NotFound):
        valet.get_group("client-members")


def test_on_failure_is_the_one_reading_of_failure_mode():
    """Nova's, Cinder's and Heat's answer when Valet is out of reach:
    ``yielded`` or ``rejected`` as [valet] failure_mode says (reject by
    default); a ``rejected`` exception is raised from the error."""
    down = client.Unavailable("Valet did not answer")
    assert client.on_failure(make_client().conf, down, "place x", "all", "none") == "none"
    yielding = make_client(failure_mode=client.FailureMode.YIELD).conf
    assert client.on_failure(yielding, down, "place x", "all", "none") == "all"
    refusal = ValueError("stop")
    with pytest.raises(ValueError) as raised:
        client.on_failure(make_client(failure_mode="reject").conf, down, "plan", None, refusal)
    assert raised.value is refusal and raised.value.__cause__ is down
