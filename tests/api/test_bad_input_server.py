"""The encoding rows of the bad-input table against a real ``valet-api``
(gunicorn over HTTP), where the path and the body arrive as a WSGI server
hands them over: each answer is Valet's JSON error body naming the field."""

import http.client
import json

import pytest

from tests.api import engine_cases
from tests.api.api_cases import ERROR_FIELDS
from tests.api.bad_input_cases import CASES
from tests.support import live_server

OVER_HTTP = ("array nested 100,000 deep", "charset bogus", "charset bogus without a body",
             "body not UTF-8", "encoded surrogate in UTF-8", "bandwidth NaN",
             "lone surrogate in stack_id", "NUL in stack_id", "size superscript two",
             "%ff in /v1/groups/%ff", "%ff in /v1/plans/%ff", "NUL in /v1/groups/a%00",
             "%ff in a query", "path segment of 256", "X-Project-Id of 256")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bad-input")
    port = live_server.free_port()
    conf = live_server.write_conf(directory, port, engine_cases.write_inventory(directory))
    with live_server.serving(directory, conf, port) as url:
        yield url


@pytest.mark.parametrize("name", OVER_HTTP)
def test_bad_input_over_http_is_the_json_error_body(base, name):
    case = CASES[name]
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {**case.headers, "Content-Type": case.content_type}
    try:
        connection.request(case.method, case.path, body=case.encoded(), headers=headers)
        response = connection.getresponse()
        status, content_type, raw = response.status, response.getheader("Content-Type"), \
            response.read()
    finally:
        connection.close()
    assert status == case.status, raw
    assert content_type.startswith("application/json"), raw
    body = json.loads(raw)
    assert set(body) == ERROR_FIELDS and body["code"] == case.status
    for word in case.words:
        assert word in body["error"]["message"], body["error"]["message"]
