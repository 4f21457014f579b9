"""The API reference (valet_api/api_ref/openapi.yaml): a valid OpenAPI 3.1
document, served token-free at ``GET /v1/openapi.json``, and the check
(tests/api/conformance.py) that every API test's answer runs through
refusing what the document does not describe."""

import json

import pytest
import webob
from openapi_spec_validator import validate

from ostro.state import migrate
from tests.api import conformance
from valet_api import api_ref
from valet_api import app as valet_app

REQUEST_ID = ("X-OpenStack-Request-Id", "req-0b9e1c52-4c34-4f4e-9a55-2f1d0c7a9e01")
JSON = ("Content-Type", "application/json")
GROUP = {"id": "6d0d", "name": "web", "type": "diversity", "level": "host",
         "description": "", "members": []}


def error(status, kind="NotFound", **details):
    return json.dumps({"title": "T", "explanation": "E", "code": status,
                       "error": {"message": "m", "type": kind, **details}}).encode()


def test_the_document_is_valid_openapi_3_1():
    document = api_ref.document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_is_a_fresh_copy_each_time():
    api_ref.document()["paths"].clear()
    assert "/v1/plans" in api_ref.document()["paths"]


def test_it_is_served_as_json(api):
    answer = api.get("/v1/openapi.json", status=200)
    assert answer.content_type == "application/json"
    assert answer.json == json.loads(json.dumps(api_ref.document()))


def test_it_needs_no_token_in_keystone_mode(empty_url, tmp_path):
    """auth_token refuses the other routes itself (the Keystone it names is
    never reached); the reference and the versions are answered."""
    nowhere = "http://127.0.0.1:9/v3"
    config = tmp_path / "valet.conf"
    config.write_text(f"[database]\nconnection = {empty_url}\n[api]\nauth_strategy = keystone\n"
                      f"[keystone_authtoken]\nwww_authenticate_uri = {nowhere}\n"
                      f"auth_url = {nowhere}\n")
    migrate.upgrade(empty_url)
    app = valet_app.setup_app(conf=valet_app.default_conf(config_files=[str(config)]))
    client = conformance.CheckedApp(app)
    try:
        assert client.get("/v1/openapi.json", status=200).json["openapi"] == "3.1.0"
        assert client.get("/", status=200).json["versions"]
        # NOTE: CheckedApp holds the 401s to the document (keystonemiddleware's body).
        for path in ("/v1", "/v1/groups", "/v1/plans/p", "/v1/openapi.json/more"):
            assert client.get(path, status=401).headers["WWW-Authenticate"]
    finally:
        app.store.close()


def test_the_fixtures_check_every_answer(api, engine_api):
    assert isinstance(api, conformance.CheckedApp)
    assert isinstance(engine_api, conformance.CheckedApp)


# -- the check itself ----------------------------------------------------------

@pytest.mark.parametrize("method, path, status, headers, body", [
    ("GET", "/v1/groups", 200, [REQUEST_ID, JSON], json.dumps({"groups": [GROUP]}).encode()),
    ("GET", "/v1/groups/", 200, [REQUEST_ID, JSON], json.dumps({"groups": []}).encode()),
    ("GET", "/v1/groups/web", 404, [REQUEST_ID, JSON], error(404)),
    ("DELETE", "/v1/groups/web", 204, [REQUEST_ID], b""),
    ("OPTIONS", "/v1/plans/p", 204, [REQUEST_ID, ("Allow", "GET, PUT, DELETE, OPTIONS")], b""),
    ("PATCH", "/v1/plans/p", 405, [REQUEST_ID, JSON, ("Allow", "GET, PUT, DELETE, OPTIONS")],
     error(405, "MethodNotAllowed")),
    ("HEAD", "/v1/groups", 405, [REQUEST_ID, ("Allow", "GET, POST, OPTIONS")], b""),
    ("GET", "/v2", 404, [REQUEST_ID, JSON], error(404)),
    ("HEAD", "/v1/groups/%ff", 400, [REQUEST_ID, ("Allow", "GET, POST, OPTIONS")], b""),
    ("POST", "/v1/plans", 409, [REQUEST_ID, JSON],
     error(409, "NoPlacement", rule="capacity", group=None, resource="a", hints=["x"])),
])
def test_answers_the_document_describes_pass(method, path, status, headers, body):
    conformance.check(method, path, status, headers, body)


@pytest.mark.parametrize("method, path, status, headers, body, why", [
    ("GET", "/v1/groups", 200, [REQUEST_ID, JSON],
     json.dumps({"groups": [{**GROUP, "colour": "red"}]}).encode(), "a field not documented"),
    ("GET", "/v1/groups", 200, [REQUEST_ID, JSON],
     json.dumps({"groups": [{**GROUP, "type": "together"}]}).encode(), "a value not documented"),
    ("GET", "/v1/groups", 418, [REQUEST_ID, JSON], error(418), "a status not documented"),
    ("GET", "/v1/groups", 500, [REQUEST_ID, JSON], error(500), "a 500"),
    ("GET", "/v1/groups", 200, [JSON], json.dumps({"groups": []}).encode(), "no request id"),
    ("GET", "/v1/groups", 200, [REQUEST_ID, ("Content-Type", "text/plain")], b"[]",
     "a content type not documented"),
    ("GET", "/v1/groups/web", 404, [REQUEST_ID, JSON], error(409), "a code that is not the status"),
    ("GET", "/v1/groups/web", 404, [REQUEST_ID, JSON], b'{"message": "no group web"}',
     "not the error body"),
    ("DELETE", "/v1/groups/web", 204, [REQUEST_ID], b"{}", "a body where none is documented"),
    ("OPTIONS", "/v1/plans/p", 204, [REQUEST_ID], b"", "no Allow"),
    ("OPTIONS", "/v1/plans/p", 204, [REQUEST_ID, ("Allow", "GET, PATCH, OPTIONS")], b"",
     "an Allow that names a verb not documented"),
    ("PATCH", "/v1/plans/p", 405, [REQUEST_ID, JSON, ("Allow", "GET, OPTIONS")],
     error(405, "MethodNotAllowed"), "an Allow that is not the documented verbs"),
    ("PATCH", "/v1/plans/p", 200, [REQUEST_ID, JSON], b"{}", "an undocumented verb answered"),
    ("GET", "/v2", 200, [REQUEST_ID, JSON], b"{}", "an undocumented path answered"),
    ("GET", "/v2", 404, [JSON], error(404), "an unknown path's 404 without a request id"),
    ("POST", "/v1/plans", 409, [REQUEST_ID, JSON], error(409, "NoPlacement"),
     "a refusal without its rule, group, resource and hints"),
])
def test_answers_the_document_does_not_describe_fail(method, path, status, headers, body, why):
    with pytest.raises(conformance.NotConforming):
        conformance.check(method, path, status, headers, body)


def test_a_test_whose_answer_breaks_the_document_fails():
    """CheckedApp raises in the request that got the answer, whatever
    status the test expected."""
    @webob.dec.wsgify
    def app(request):
        response = webob.Response(json={"groups": "none"})
        response.headers[REQUEST_ID[0]] = REQUEST_ID[1]
        return response

    client = conformance.CheckedApp(app)
    with pytest.raises(conformance.NotConforming, match="GET /v1/groups -> 200"):
        client.get("/v1/groups", expect_errors=True)


# -- found by the schemathesis run (tests/api/test_openapi_fuzz.py) -----------------

def test_a_null_optional_list_is_the_list_left_out(engine_api):
    """``excluded_hosts: null`` and ``fallback_ids: null`` were 500s."""
    body = {"stack_id": "s1", "resources": {"orch-a": {
        "type": "OS::Nova::Server", "name": "a", "properties": {"flavor": "small"}}}}
    engine_api.post_json("/v1/plans", body, status=201)
    engine_api.put_json("/v1/plans/s1", {"action": "migrate", "resources": ["orch-a"],
                                         "excluded_hosts": None}, status=201)
    reserved = engine_api.post_json("/v1/placements/orch-a", {
        "action": "reserve", "locations": ["r1-h1", "r1-h2", "r2-h1", "r2-h2"],
        "fallback_ids": None}, status=201)
    assert reserved.json["placement"]["reserved"] is True
