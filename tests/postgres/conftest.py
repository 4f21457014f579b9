"""One real PostgreSQL server for the session, and a new database per test.

A missing server is a failure, not a skip: CI installs the binaries
(``.ci/run``), and a skipped store test would hide a broken store.
"""

import time
import uuid

import pytest
import sqlalchemy

from tests.support.postgres_server import PostgresServer, ServerError

TIMINGS = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, config):
    timings = config.stash.get(TIMINGS, None)
    if timings:
        terminalreporter.write_line("PostgreSQL server: " + ", ".join(
            f"{step} {seconds:.2f} s" for step, seconds in timings.items()))


@pytest.fixture(scope="session")
def postgres(pytestconfig):
    started = time.monotonic()
    try:
        server = PostgresServer()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
    except ServerError as exc:
        server.stop()
        pytest.fail(f"could not start PostgreSQL: {exc}", pytrace=False)
    admin = sqlalchemy.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    server.timings["ready"] = time.monotonic() - started
    try:
        yield server, admin
    finally:
        admin.dispose()
        server.stop()
        pytestconfig.stash[TIMINGS] = server.timings


@pytest.fixture
def empty_url(postgres):
    server, admin = postgres
    name = f"valet_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield server.url(name)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")


# NOTE: the API's engine fixtures, over this module's PostgreSQL empty_url.
from tests.api.conftest import api, engine_api, engine_mode, inventory  # noqa: E402, F401
