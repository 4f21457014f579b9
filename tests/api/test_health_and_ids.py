"""The pipeline in process (webtest): ``/healthcheck`` when the database
or the engine does not answer, proxy headers off by default, and request
ids reaching the engine's log lines over RPC (kombu's in-memory broker;
tests/rabbitmq does it over a real one, between processes)."""

import io
import logging
import uuid

from oslo_config import cfg
from oslo_log import formatters, log
from oslo_middleware.healthcheck import opts as health_opts

from tests.api import conformance, engine_cases, rpc_cases
from valet_api import app as valet_app


def test_healthcheck_names_the_database_it_cannot_read(tmp_path):
    """An SQLite path that is a directory: no database file can open there."""
    (tmp_path / "db").mkdir()
    conf = engine_cases.engine_conf(f"sqlite:///{tmp_path / 'db'}", tmp_path / "none.yaml")
    app = conformance.CheckedApp(valet_app.setup_app(conf=conf))
    answer = app.get("/healthcheck", status=503)
    assert answer.text == "database: unreachable or unusable (OperationalError); " \
                          "engine: in process"
    assert app.head("/healthcheck", status=503).headers["X-OpenStack-Request-Id"]


def test_healthcheck_names_the_engine_when_none_answers(tmp_path):
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    inventory = engine_cases.write_inventory(tmp_path)
    with rpc_cases.rpc_api(url, inventory, serve=False) as app:
        app.app.conf.set_override("healthcheck_engine_timeout", 0.3, "api")
        answer = app.get("/healthcheck", status=503)
    assert answer.text.startswith("database: OK; engine: the engine did not answer "
                                  "within 0.3 s (topic valet-test-")


def test_healthcheck_is_200_when_an_engine_answers(tmp_path):
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    with rpc_cases.rpc_api(url, engine_cases.write_inventory(tmp_path)) as app:
        assert app.get("/healthcheck", status=200).text == "database: OK; engine: OK"


def test_proxy_headers_are_ignored_unless_enabled(tmp_path):
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    with engine_cases.engine_api(url, engine_cases.write_inventory(tmp_path)) as app:
        answer = app.get("/", headers={"X-Forwarded-Proto": "https"})
    assert answer.json["versions"][0]["links"][0]["href"] == "http://localhost/v1/"


def test_request_ids_reach_the_engines_log_lines_over_rpc(tmp_path):
    """The API's request id and the caller's global id, on the line the
    engine's RPC server thread logs for the plan it made."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log_conf = cfg.ConfigOpts()
    log.register_options(log_conf)
    log_conf([])
    handler.setFormatter(formatters.ContextFormatter(config=log_conf, project="valet"))
    # NOTE: the context part of the line comes from the formatter's
    # logging_context_format_string default: "[global local user ...]".
    engine_log = logging.getLogger("ostro.operations")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.INFO)
    global_id = f"req-{uuid.uuid4()}"
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    try:
        with rpc_cases.rpc_api(url, engine_cases.write_inventory(tmp_path)) as app:
            answer = app.post_json(
                "/v1/plans", {"stack_id": "s-ids", "plan_name": "ids",
                              "resources": dict([engine_cases.server("ids-1")])},
                headers={"X-OpenStack-Request-Id": global_id, "X-Project-Id": "p-ids"},
                status=201)
    finally:
        engine_log.removeHandler(handler)
    local_id = answer.headers["X-OpenStack-Request-Id"]
    lines = [line for line in stream.getvalue().splitlines() if "plan created" in line]
    assert len(lines) == 1
    assert f"[{global_id} {local_id} noauth p-ids " in lines[0]



def test_disable_by_file_drains_the_node(tmp_path):
    """``[healthcheck] backends = disable_by_file`` adds to Valet's check."""
    drain = tmp_path / "disable"
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    conf = engine_cases.engine_conf(url, engine_cases.write_inventory(tmp_path))
    conf.register_opts(health_opts.HEALTHCHECK_OPTS + health_opts.DISABLE_BY_FILE_OPTS,
                       group="healthcheck")
    conf.set_override("backends", ["disable_by_file"], "healthcheck")
    conf.set_override("disable_by_file_path", str(drain), "healthcheck")
    with engine_cases.engine_api(url, None, conf=conf) as app:
        assert app.get("/healthcheck", status=200).text == \
            "database: OK; engine: in process\nOK"
        drain.touch()
        assert app.get("/healthcheck", status=503).text == \
            "database: OK; engine: in process\nDISABLED BY FILE"


def test_the_default_body_limit_admits_what_heat_admits(tmp_path):
    """Valet's default is Heat's 1 MiB, not oslo.middleware's 112 KiB: a
    stack Heat accepts is not refused for its size."""
    conf = engine_cases.engine_conf(f"sqlite:///{tmp_path / 'valet.sqlite'}",
                                    tmp_path / "none.yaml")
    app = conformance.CheckedApp(valet_app.setup_app(conf=conf))
    assert conf.oslo_middleware.max_request_body_size == 1024 * 1024
    padding = {"description": "x" * (600 * 1024)}          # over 112 KiB, under 1 MiB
    answer = app.post_json("/v1/groups", {"name": "big", "type": "diversity",
                                          "level": "host", **padding}, expect_errors=True)
    assert answer.status_int != 413, answer.text
    over = {"description": "x" * (1024 * 1024)}
    refused = app.post_json("/v1/groups", {"name": "bigger", **over}, status=413)
    assert "max_request_body_size (1048576 bytes)" in refused.json["error"]["message"]
