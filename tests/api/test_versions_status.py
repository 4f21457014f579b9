"""``/``, ``/v1``, ``/v1/status``, the error body, and OPTIONS/405 on every URI."""

import importlib
import sys

import pytest
from pecan.configuration import conf_from_dict

from ostro.state import migrate
from tests.api import conformance
from tests.api.api_cases import assert_error, call, create, running_api
from valet_api import app as valet_app

#: Every URI of this slice and the verbs it answers (besides OPTIONS); routing
#: alone answers these, so no inventory is needed even for plans and placements.
URIS = {
    "/": ["GET"],
    "/v1": ["GET"],
    "/v1/status": ["GET", "HEAD"],
    "/v1/groups": ["GET", "POST"],
    "/v1/groups/web": ["GET", "PUT", "DELETE"],
    "/v1/groups/web/members": ["PUT", "DELETE"],
    "/v1/groups/web/members/p1": ["GET", "DELETE"],
    "/v1/plans": ["GET", "POST"],
    "/v1/plans/s1": ["GET", "PUT", "DELETE"],
    "/v1/placements": ["GET"],
    "/v1/placements/orch-a": ["GET", "POST", "DELETE"],
}
VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def test_root_lists_the_version(api):
    assert call(api, "GET", "/", status=200).json == {"versions": [{
        "id": "v1.0", "status": "CURRENT",
        "links": [{"rel": "self", "href": "http://localhost/v1/"}]}]}


def test_root_links_follow_the_host_the_client_used(api):
    response = api.get("/", extra_environ={"HTTP_HOST": "valet.example.com:8090"})
    assert response.json["versions"][0]["links"][0]["href"] == \
        "http://valet.example.com:8090/v1/"


def test_v1_links_every_noun(api):
    versions = call(api, "GET", "/v1", status=200).json["versions"]
    assert [(v["id"], v["status"]) for v in versions] == [("v1.0", "CURRENT")]
    links = {link["rel"]: link["href"] for link in versions[0]["links"]}
    assert links == {"self": "http://localhost/v1/",
                     **{noun: f"http://localhost/v1/{noun}" for noun in
                        ("groups", "plans", "placements", "resources", "hosts", "status")}}


def test_a_trailing_slash_is_the_same_uri(api):
    assert call(api, "GET", "/v1/").json == call(api, "GET", "/v1").json
    assert call(api, "GET", "/v1/groups/", status=200).json == {"groups": []}


def test_status_reports_engine_and_database(api):
    assert call(api, "GET", "/v1/status", status=200).json == {"status": {
        "engine": {"mode": "local", "state": "ok"},
        "database": {"state": "ok", "backend": "sqlite", "generation": 0}}}


def test_status_generation_moves_with_changes(api):
    create(api, "web")
    assert call(api, "GET", "/v1/status").json["status"]["database"]["generation"] == 1


def test_head_status_is_204(api):
    response = call(api, "HEAD", "/v1/status", status=204)
    assert response.body == b""


@pytest.mark.parametrize("content", [b"this is not a database file" * 200, None])
def test_status_is_503_when_the_database_is_unusable(tmp_path, content):
    path = tmp_path / "broken.sqlite"
    if content is None:
        path.touch()            # an empty database: no schema
    else:
        path.write_bytes(content)
    with running_api(f"sqlite:///{path}", upgrade=False) as api:
        body = assert_error(call(api, "GET", "/v1/status"), 503, "database")
        assert body["title"] == "Service Unavailable"
        assert "traceback" not in body["error"]
        assert call(api, "HEAD", "/v1/status").status_int == 503
        # Every other route says the same rather than a 500.
        assert_error(call(api, "GET", "/v1/groups"), 503, "database")


@pytest.mark.parametrize("uri, verbs", URIS.items())
def test_options_lists_the_verbs(api, uri, verbs):
    response = call(api, "OPTIONS", uri, status=204)
    assert response.headers["Allow"] == ", ".join([*verbs, "OPTIONS"])
    assert response.body == b""


@pytest.mark.parametrize("uri, verb", [(uri, verb) for uri, verbs in URIS.items()
                                       for verb in VERBS if verb not in verbs])
def test_other_verbs_are_405_with_allow(api, uri, verb):
    response = call(api, verb, uri)
    assert response.status_int == 405
    assert response.headers["Allow"] == ", ".join([*URIS[uri], "OPTIONS"])
    if verb != "HEAD":
        assert_error(response, 405, verb)


@pytest.mark.parametrize("uri", ["/v2", "/v1/nothing", "/v1/status/more",
                                 "/v1/groups/web/others", "/v1/groups/web/members/p1/x",
                                 "/v1/plans/s1/more", "/v1/placements/orch-a/x"])
def test_unknown_uris_are_404_error_bodies(api, uri):
    assert_error(call(api, "GET", uri), 404)


def test_error_body_has_no_traceback_without_debug(api):
    body = assert_error(call(api, "GET", "/v1/groups/nope"), 404, "nope")
    assert body == {"title": "Not Found", "explanation": body["explanation"], "code": 404,
                    "error": {"message": "no group nope", "type": "NotFound"}}
    assert body["explanation"]


def test_error_body_has_the_traceback_with_debug(debug_api):
    body = assert_error(call(debug_api, "GET", "/v1/groups/nope"), 404, "nope")
    assert "Traceback" in body["error"]["traceback"]
    assert "NotFound" in body["error"]["traceback"]
    body = assert_error(call(debug_api, "POST", "/v1/groups", "{"), 400, "JSON")
    assert "Traceback" in body["error"]["traceback"]


def test_wsgi_application_reads_valet_config_file(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/wsgi.sqlite"
    with running_api(url):
        pass                    # creates the schema
    conf = tmp_path / "valet.conf"
    conf.write_text(f"[DEFAULT]\ndebug = true\n[database]\nconnection = {url}\n")
    monkeypatch.setenv("VALET_CONFIG_FILE", str(conf))
    sys.modules.pop("valet_api.wsgi", None)
    wsgi = importlib.import_module("valet_api.wsgi")
    try:
        client = conformance.CheckedApp(wsgi.application)
        assert client.get("/v1/status").json["status"]["database"]["state"] == "ok"
        assert "traceback" in call(client, "GET", "/v1/groups/x").json["error"]
    finally:
        wsgi.application.store.close()
        sys.modules.pop("valet_api.wsgi", None)


@pytest.mark.parametrize("as_config", [dict, conf_from_dict])
def test_setup_app_takes_pecan_configuration(empty_url, as_config):
    migrate.upgrade(empty_url)
    conf = valet_app.default_conf(config_files=[])
    conf.set_override("connection", empty_url, "database")
    config = as_config({"app": {"root": "ignored", "modules": ["valet_api"],
                                "debug": False}})
    app = valet_app.setup_app(config, conf)
    try:
        assert conformance.CheckedApp(app).get("/v1/groups").json == {"groups": []}
    finally:
        app.store.close()


@pytest.mark.parametrize("method, path, status", [
    ("DELETE", "/v1/groups/nope", 404), ("DELETE", "/v1/plans/nope", 404),
    ("DELETE", "/v1/placements/nope", 404), ("HEAD", "/v1/status", 204),
    ("OPTIONS", "/v1/plans", 204), ("DELETE", "/v1/groups/nope/members", 404)])
def test_clients_that_accept_only_json_get_the_same_answers(engine_api, method, path, status):
    # NOTE: the original Valet's clients send Accept: application/json on
    # every verb, including those answered with no body.
    response = engine_api.request(path, method=method, expect_errors=True,
                                  headers={"Accept": "application/json"})
    assert response.status_int == status, response.text
    if status >= 400:
        assert response.json["code"] == status
