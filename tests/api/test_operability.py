"""The operator's side of a real ``valet-api`` process over HTTP: oslo.log
(``--log-file``, ``--debug``), request ids, ``/healthcheck``, the body size
limit, proxy headers, one log line per decision, 5xx tracebacks in the log
only (issue 10 §2; doc/api.md "Operating the API")."""

import http.client
import json
import re
import socket
import time
import uuid

import pytest
from oslo_config import cfg
from oslo_context import context

from tests.api import engine_cases
from tests.support import live_server
from valet_openstack import client, options

REQUEST_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LIMIT = 1024 * 1024


def request(base, method, path, body=None, headers=None):
    """``(status, headers, body bytes)`` of one request (any status)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    try:
        connection.request(method, path, body=data,
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_for_line(log, pattern, timeout=10.0):
    """The first line of the file ``log`` matching ``pattern``, waiting for it
    (a worker writes its log as it goes)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in log.read_text().splitlines() if re.search(pattern, line)]
        if lines or time.monotonic() > deadline:
            return lines[0] if lines else None
        time.sleep(0.1)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A valet-api started with ``--log-file F --debug``, proxy headers
    parsed and a 1 MiB body limit: ``(base URL, log file)``."""
    directory = tmp_path_factory.mktemp("operability")
    port = live_server.free_port()
    conf = live_server.write_conf(
        directory, port, engine_cases.write_inventory(directory),
        oslo_middleware={"enable_proxy_headers_parsing": "true",
                         "max_request_body_size": LIMIT},
        api={"workers": 2})
    log = directory / "api.log"
    process, output = live_server.start_server(
        directory, conf, [live_server.VALET_API, "--config-file", str(conf),
                          "--log-file", str(log), "--debug"])
    base = f"http://127.0.0.1:{port}"
    try:
        live_server.wait_until_up(base, process, timeout=30.0)
        yield base, log
    finally:
        assert live_server.stop(process, output) == 0


def test_log_file_and_debug_hold_valet_and_gunicorn_lines(api):
    base, log = api
    request(base, "GET", "/v1")
    text = log.read_text()
    assert " DEBUG " in text                                   # --debug
    assert "valet_api.cmd.api [-] database at revision" in text
    assert wait_for_line(log, r"gunicorn.error .*Booting worker")
    access = wait_for_line(log, r'gunicorn.access .*"GET /v1 HTTP/1.1" status: 200')
    assert access and re.search(r"request_id: req-[0-9a-f-]{36}$", access)


def test_every_answer_carries_a_request_id(api):
    base, _ = api
    answers = [request(base, "GET", "/"), request(base, "GET", "/v1"),
               request(base, "GET", "/healthcheck"), request(base, "GET", "/v1/nothing"),
               request(base, "PATCH", "/v1/plans"),
               request(base, "POST", "/v1/plans", b"{not json")]
    assert [status for status, _, _ in answers] == [200, 200, 200, 404, 405, 400]
    ids = [headers["X-OpenStack-Request-Id"] for _, headers, _ in answers]
    assert all(REQUEST_ID.match(found) for found in ids), ids
    assert len(set(ids)) == len(ids)


def test_an_incoming_global_request_id_is_honoured_in_the_log(api):
    base, log = api
    global_id = f"req-{uuid.uuid4()}"
    stack = f"stack-{uuid.uuid4()}"
    status, headers, _ = request(
        base, "POST", "/v1/plans",
        {"stack_id": stack, "plan_name": "web",
         "resources": dict([engine_cases.server(f"web-{uuid.uuid4()}")])},
        headers={"X-OpenStack-Request-Id": global_id})
    assert status == 201
    local_id = headers["X-OpenStack-Request-Id"]
    assert REQUEST_ID.match(local_id) and local_id != global_id
    line = wait_for_line(log, f"plan created: .*stack={stack}")
    assert line and f"[{global_id} {local_id} " in line


def test_healthcheck_is_200_and_says_what_it_checked(api):
    base, _ = api
    status, headers, body = request(base, "GET", "/healthcheck")
    assert status == 200
    assert body.decode() == "database: OK; engine: in process"
    status, _, body = request(base, "GET", "/healthcheck",
                              headers={"Accept": "application/json"})
    assert status == 200 and json.loads(body)["reasons"] == ["database: OK; engine: in process"]
    assert request(base, "HEAD", "/healthcheck")[0] == 204


def test_a_body_over_the_limit_is_413(api):
    base, _ = api
    status, headers, body = request(base, "POST", "/v1/plans", b" " * (2 * LIMIT))
    assert status == 413
    error = json.loads(body)
    assert error["code"] == 413 and error["error"]["type"] == "RequestTooLarge"
    assert f"max_request_body_size ({LIMIT} bytes)" in error["error"]["message"]
    assert REQUEST_ID.match(headers["X-OpenStack-Request-Id"])


def test_a_body_over_the_limit_is_refused_before_it_is_read(api):
    """Content-Length says 2 MiB, 10 bytes come: reading the body would wait
    for the rest (gunicorn's 30 s timeout); the answer comes at once."""
    base, _ = api
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"POST /v1/plans HTTP/1.1\r\nHost: valet\r\n"
                     b"Content-Type: application/json\r\n"
                     + f"Content-Length: {2 * LIMIT}\r\n\r\n".encode() + b'{"plan": 1')
        started = time.monotonic()
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert time.monotonic() - started < 5


def test_a_chunked_body_over_the_limit_is_413(api):
    base, _ = api

    def chunks():
        for _ in range(3):
            yield b" " * LIMIT
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/v1/plans", body=chunks(), encode_chunked=True,
                           headers={"Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["code"] == 413
    finally:
        connection.close()


def test_links_follow_x_forwarded_proto(api):
    base, _ = api
    _, _, plain = request(base, "GET", "/")
    _, _, proxied = request(base, "GET", "/", headers={"X-Forwarded-Proto": "https"})
    assert json.loads(plain)["versions"][0]["links"][0]["href"].startswith("http://127.0.0.1")
    assert json.loads(proxied)["versions"][0]["links"][0]["href"] == \
        f"https://{base.removeprefix('http://')}/v1/"
    _, _, version = request(base, "GET", "/v1", headers={"X-Forwarded-Proto": "https"})
    hrefs = [link["href"] for link in json.loads(version)["versions"][0]["links"]]
    assert hrefs and all(href.startswith("https://") for href in hrefs)


def test_one_info_line_per_decision(api):
    base, log = api
    stack = f"stack-{uuid.uuid4()}"
    project = f"project-{uuid.uuid4().hex[:8]}"
    headers = {"X-Project-Id": project}
    resources = dict(engine_cases.server(f"{stack}-{name}") for name in "ab")
    body = {"stack_id": stack, "plan_name": "decisions", "resources": resources}
    status, _, answer = request(base, "POST", "/v1/plans", body, headers)
    assert status == 201
    plan = json.loads(answer)["plan"]
    assert request(base, "POST", "/v1/plans", body, headers)[0] == 201          # exists
    first, second = sorted(resources)
    host = plan["placements"][first]["location"]
    assert request(base, "POST", f"/v1/placements/{first}",
                   {"action": "reserve", "locations": [host], "resource_id": "nova-a"},
                   headers)[0] == 201
    other = next(name for name in engine_cases.HOSTS
                 if name != plan["placements"][second]["location"])
    assert request(base, "POST", f"/v1/placements/{second}",
                   {"action": "replan", "locations": [other]}, headers)[0] == 201
    assert request(base, "DELETE", f"/v1/placements/{second}", None, headers)[0] == 204
    assert request(base, "DELETE", f"/v1/plans/{plan['id']}", None, headers)[0] == 204
    too_big = dict(engine_cases.server(f"{stack}-big{n}", flavor="large") for n in range(5))
    assert request(base, "POST", "/v1/plans",
                   {"stack_id": f"{stack}-x", "plan_name": "x", "resources": too_big},
                   headers)[0] == 409

    expected = {
        "plan created": f"plan created: plan={plan['id']} stack={stack} project={project} "
                        f"placements: {first}@",
        "plan exists": f"plan exists: plan={plan['id']} stack={stack} project={project}",
        "reserved": f"placement reserved: placement={first} resource=nova-a host={host} "
                    f"plan={plan['id']} stack={stack} project={project}",
        "replanned": f"placement replanned: placement={second} resource=None host={other} "
                     f"plan={plan['id']} stack={stack} project={project} (was on ",
        "released": f"placement released: placement={second} resource=None host={other} ",
        "deleted": f"plan deleted: plan={plan['id']} stack={stack} project={project} "
                   f"placements: {first}@{host}; released",
        "refused": f"refused plan of stack={stack}-x project={project}: NoPlacement: ",
    }
    wait_for_line(log, re.escape(expected["refused"]))
    lines = [line for line in log.read_text().splitlines() if " ostro.operations " in line]
    for what, text in expected.items():
        found = [line for line in lines if text in line]
        assert len(found) == 1, (what, text, lines)
        assert " INFO ostro.operations " in found[0]


def test_a_5xx_has_its_traceback_in_the_log_not_in_the_answer(tmp_path):
    """An unreadable inventory: 503, logged with the traceback."""
    port = live_server.free_port()
    conf = live_server.write_conf(tmp_path, port, tmp_path / "missing.yaml")
    log = tmp_path / "api.log"
    process, output = live_server.start_server(
        tmp_path, conf, [live_server.VALET_API, "--config-file", str(conf),
                         "--log-file", str(log)])
    base = f"http://127.0.0.1:{port}"
    try:
        live_server.wait_until_up(base, process, timeout=30.0)
        status, headers, body = request(
            base, "POST", "/v1/plans",
            {"stack_id": "s", "plan_name": "s", "resources": dict([engine_cases.server("a")])})
        request_id = headers["X-OpenStack-Request-Id"]
        assert status == 503
        error = json.loads(body)["error"]
        assert "missing.yaml" in error["message"] and "traceback" not in error
        assert b"Traceback" not in body
        line = wait_for_line(log, f"ERROR valet_api.errors \\[None {request_id} .*"
                                  "POST /v1/plans: 503")
        assert line
        following = log.read_text().split(line, 1)[1].lstrip("\n").splitlines()
        assert "ERROR valet_api.errors Traceback (most recent call last):" in following[0]
    finally:
        assert live_server.stop(process, output) == 0


def test_the_plugins_client_sends_its_callers_global_request_id(api):
    """What Nova's filter (for_request), Cinder's filter and Heat's hook
    (the constructor) send: the global id of the context they serve."""
    base, log = api
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf([], project="valet-client-test")
    conf.set_override("url", base, group="valet")
    nova_request = context.RequestContext(overwrite=False)          # no global id yet
    heat_request = context.RequestContext(global_request_id=f"req-{uuid.uuid4()}",
                                          overwrite=False)
    shared = client.ValetClient(conf)
    with client.ValetClient(conf, global_request_id=client.global_id_of(heat_request)) as heat:
        heat.create_plan(f"heat-{uuid.uuid4()}", {})
    shared.for_request(client.global_id_of(nova_request)).create_plan(f"nova-{uuid.uuid4()}", {})
    shared.close()
    for sent in (heat_request.global_request_id, nova_request.request_id):
        line = wait_for_line(log, re.escape(f"[{sent} req-") + ".*plan created: ")
        assert line, sent
    assert client.global_id_of(None) is None
