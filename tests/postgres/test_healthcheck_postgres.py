"""``/healthcheck`` of a real ``valet-api`` on a real PostgreSQL server that
is stopped and started again: 503 naming the database while it is down,
200 once it is back (no restart of the API).  Its own server, not the
session's, since it stops it."""

import shlex

import sqlalchemy

from tests.api import engine_cases
from tests.api.test_operability import request
from tests.support import live_server
from tests.support.postgres_server import PostgresServer


def test_healthcheck_follows_the_database(tmp_path):
    server = PostgresServer().start()
    try:
        admin = sqlalchemy.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE valet_health")
        admin.dispose()
        port = live_server.free_port()
        conf = live_server.write_conf(tmp_path, port, engine_cases.write_inventory(tmp_path),
                                      database={"connection": server.url("valet_health")})
        with live_server.serving(tmp_path, conf, port) as base:
            status, _, body = request(base, "GET", "/healthcheck")
            assert (status, body) == (200, b"database: OK; engine: in process")

            _pg_ctl(server, "stop", "-m", "fast")
            status, headers, body = request(base, "GET", "/healthcheck")
            assert status == 503
            assert body == b"database: unreachable or unusable (OperationalError); " \
                           b"engine: in process"
            assert headers["X-OpenStack-Request-Id"].startswith("req-")

            _pg_ctl(server, "start", "-l", server.root / "server.log",
                    "-o", shlex.join(server._server_options()))
            assert request(base, "GET", "/healthcheck")[0] == 200
        assert "healthcheck: the database does not answer: OperationalError" in \
            (tmp_path / "valet-api.log").read_text()
    finally:
        server.stop()


def _pg_ctl(server, action, *options):
    server._run("pg_ctl", "-D", server.data, "-w", *options, action)
