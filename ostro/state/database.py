"""Connections to the store's database, with transactions that mean the same
on SQLite and PostgreSQL.

Two kinds of transaction:

* :func:`writing` — every write starts by moving the generation row on, so
  that row's lock serializes writers; PostgreSQL's default READ COMMITTED is
  right for it (a writer that waited on the lock re-reads the row).  SQLite
  takes its write lock at ``BEGIN IMMEDIATE`` and waits (``busy_timeout``)
  for another writer instead of failing.
* :func:`reading` — several SELECTs that must see one committed state (the
  generation and the rows it counts): REPEATABLE READ on PostgreSQL, a real
  ``BEGIN`` on SQLite.
"""

import contextlib
import functools
import pathlib
import time

import sqlalchemy
from sqlalchemy import event
from sqlalchemy import exc as sqlalchemy_exc

#: Seconds a SQLite connection waits for another writer's lock.
SQLITE_BUSY_TIMEOUT = 30.0
#: A pooled server connection idle longer than this is pinged before use.
IDLE_PING_SECONDS = 1.0

_WRITES = "valet_writes"


def create_engine(url, always_ping=False):
    """A SQLAlchemy engine for ``url`` (a string or URL).

    A database server's pooled connections are pinged before use only when
    they were idle for :data:`IDLE_PING_SECONDS` (``always_ping``: at every
    checkout, SQLAlchemy's ``pool_pre_ping``, for comparison).  A restarted
    server then costs one reconnect, not one failed request per pooled
    connection, while back-to-back writes (the write lock's connection
    among them) pay no extra round trip: a connection that broke while in
    use fails its statement, and SQLAlchemy then drops the whole pool.
    """
    url = sqlalchemy.make_url(url)
    if url.get_backend_name() != "sqlite":
        engine = sqlalchemy.create_engine(url, pool_pre_ping=always_ping)
        if not always_ping:
            event.listen(engine, "checkin", _idle_from)
            event.listen(engine, "checkout", functools.partial(_ping_if_idle, engine.dialect))
        return engine
    if url.database and url.database != ":memory:":
        pathlib.Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _idle_from(_dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dialect, dbapi_connection, record, _proxy):
    since = record.info.pop("idle_since", None)
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return      # NOTE: new, or used just now
    try:
        _ping(dialect, dbapi_connection)
    except Exception as exc:
        # NOTE: the pool's own protocol: it discards this connection and
        # checks out a fresh one (SQLAlchemy's pessimistic disconnect handling).
        raise sqlalchemy_exc.DisconnectionError(str(exc)) from exc


def _ping(dialect, dbapi_connection):
    # NOTE: the dialect's own ping (pool_pre_ping's): it leaves no
    # transaction open on the driver's connection.
    dialect.do_ping(dbapi_connection)


def _sqlite_connected(dbapi_connection, _record):
    # NOTE: the sqlite3 module would BEGIN only before INSERT/UPDATE/DELETE,
    # so the SELECTs of one load would each see a different commit.  Turning
    # its transaction handling off lets _sqlite_begin issue every BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")       # ON DELETE CASCADE needs it
    cursor.execute("PRAGMA journal_mode = WAL")      # readers do not block the writer
    # NOTE: in WAL mode NORMAL syncs at checkpoints, not at every commit: the
    # file cannot be corrupted, but a power cut may lose the last commits
    # (SQLite is the single-node default; PostgreSQL is for production).
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection):
    immediate = connection.get_execution_options().get(_WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextlib.contextmanager
def writing(engine):
    """A connection in a transaction that will write; committed on success."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITES: True})
        with connection.begin():
            yield connection


@contextlib.contextmanager
def reading(engine):
    """A connection in a transaction whose reads all see one committed state."""
    with engine.connect() as connection:
        if engine.dialect.name in ("postgresql", "mysql"):
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection
