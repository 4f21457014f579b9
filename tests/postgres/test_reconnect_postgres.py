"""The store's pooled connections survive a PostgreSQL restart: one idle
longer than ``IDLE_PING_SECONDS`` is pinged before use and replaced, so the
first write after the restart succeeds; connections used back to back are
not pinged (no extra round trip per write).  Its own server, since it
restarts it."""

import shlex
import time

import pytest
import sqlalchemy

from ostro.state import database, migrate
from ostro.state.store import Store
from tests.support.postgres_server import PostgresServer


@pytest.fixture
def restartable():
    server = PostgresServer().start()
    try:
        admin = sqlalchemy.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE valet_reconnect")
        admin.dispose()
        migrate.upgrade(server.url("valet_reconnect"))
        yield server
    finally:
        server.stop()


def restart(server):
    server._run("pg_ctl", "-D", server.data, "-w", "-m", "fast", "stop")
    server._run("pg_ctl", "-D", server.data, "-w", "-l", server.root / "server.log",
                "-o", shlex.join(server._server_options()), "start")


@pytest.fixture
def pings(monkeypatch):
    """The pings the store's connections send, counted."""
    sent = []
    ping = database._ping

    def counted(dialect, dbapi_connection):
        sent.append(dbapi_connection)
        return ping(dialect, dbapi_connection)
    monkeypatch.setattr(database, "_ping", counted)
    return sent


def test_an_idle_connection_is_replaced_after_a_restart(restartable, pings):
    store = Store(restartable.url("valet_reconnect"))
    try:
        store.create_group("before", "diversity", "host")
        restart(restartable)
        time.sleep(database.IDLE_PING_SECONDS + 0.2)
        # The pooled connection is dead; its ping says so and the pool
        # hands out a fresh one: the write succeeds at the first attempt.
        store.create_group("after", "diversity", "host")
        assert len(pings) >= 1
        assert {group.name for group in store.list_groups()} == {"before", "after"}
    finally:
        store.close()


def test_without_the_ping_the_first_use_after_a_restart_fails(restartable, monkeypatch):
    # The control: what the ping saves a caller from.
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 1e9)
    store = Store(restartable.url("valet_reconnect"))
    try:
        store.create_group("before", "diversity", "host")
        restart(restartable)
        with pytest.raises(sqlalchemy.exc.OperationalError):
            store.create_group("after", "diversity", "host")
        store.create_group("after", "diversity", "host")     # the pool was dropped
    finally:
        store.close()


def test_back_to_back_writes_send_no_ping_an_idle_connection_one(restartable, pings):
    store = Store(restartable.url("valet_reconnect"))
    try:
        for number in range(5):
            store.create_group(f"g{number}", "diversity", "host")
        assert pings == []
        time.sleep(database.IDLE_PING_SECONDS + 0.2)
        store.create_group("later", "diversity", "host")
        assert len(pings) == 1
    finally:
        store.close()
