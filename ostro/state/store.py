"""The store: where the engine's state and the named groups live (DESIGN §6).

Truth lives here; an engine's memory is a cache rebuilt from it::

    data, generation = store.load()
    engine = ostro.replica.records.load(datacenter, data, settings, store.list_groups())
    ... engine.plan(...) ...
    store.save(ostro.replica.records.dump(engine), generation)   # or Conflict: start again

Every change moves one counter, the *generation*, on by one in the same
transaction.  :meth:`Store.save` moves it only from the generation its
snapshot was loaded at (``UPDATE ... WHERE generation = :seen``); when that
changes no row, another writer got there first and the caller must reload
and plan again.  Of any number of writers that loaded the same generation,
exactly one commits.  Group changes move the generation too, since a plan
depends on the groups it was made with; read the groups *after* ``load()``
so a plan never rests on groups newer than its generation says.

Two ways to commit:

* :meth:`Store.writer` — the serialized commit the engines use (DESIGN §6):
  the transaction takes the write lock first (by moving the generation on),
  the engine catches its cache up with :meth:`Writer.changes_since`, runs
  the operation, and :meth:`Writer.record` writes only what changed plus a
  row of the change log.  Writers wait for each other instead of failing,
  so no operation is lost to contention.
* :meth:`Store.save` — the whole snapshot, optimistically (``Conflict`` when
  another writer committed since): for importing a state and for tests.

Every commit adds one row to the change log (``changes``), so a cache at
generation *g* catches up by replaying the rows after *g*
(:meth:`Store.changes_since`); only when the log no longer reaches back that
far (it is pruned) must it reload everything.
"""

import contextlib

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ostro.errors import InvalidInput, OstroError
from ostro.state import database, groups, models, rows
from ostro.state.changelog import Marker, body, has

GENERATION = models.EngineGeneration.__table__
CHANGES = models.Change.__table__
INVENTORY = models.Inventory.__table__

#: Change-log rows kept; a cache further behind than this reloads everything.
CHANGES_KEPT = 2000


class Conflict(OstroError):
    """The store moved on since the snapshot was loaded: reload and retry."""

    kind = "Conflict"

    def __init__(self, seen, current):
        super().__init__(f"the store is at generation {current}, not {seen}: "
                         "reload it and plan again")
        self.seen, self.current = seen, current


class Store:
    """Plans, placements and named groups in the database at ``url``
    (any SQLAlchemy URL; SQLite and PostgreSQL are tested).  The schema
    must exist: ``valet-db-manage upgrade`` or :func:`ostro.state.migrate.upgrade`."""

    def __init__(self, url, always_ping=False):
        self.url = url
        # NOTE: always_ping only to measure what a ping at every checkout costs.
        self.db = database.create_engine(url, always_ping=always_ping)

    def close(self):
        """Close the pooled connections."""
        self.db.dispose()

    # -- the engine's state -------------------------------------------------

    def generation(self):
        with database.reading(self.db) as connection:
            return _current(connection)

    def load(self):
        """``(snapshot data, generation)``, read in one transaction."""
        with database.reading(self.db) as connection:
            return rows.read(connection), _current(connection)

    def changes_since(self, generation):
        """``(current generation, changes)``: the deltas committed after
        ``generation``, oldest first, read in one transaction; ``changes`` is
        ``None`` when they cannot be replayed (the log was pruned, or a
        change replaced the whole state): reload with :meth:`load`."""
        with database.reading(self.db) as connection:
            current = _current(connection)
            return current, _changes_since(connection, generation, current)

    @contextlib.contextmanager
    def writer(self):
        """A :class:`Writer`: the write lock, held until the block ends.

        Committed when the block ends normally and something was recorded;
        rolled back (the generation does not move) when nothing was, or on
        an exception.
        """
        with database.writing(self.db) as connection:
            transaction = connection.get_transaction()
            generation = _bump(connection)
            writer = Writer(connection, generation)
            yield writer
            if not writer.recorded:
                transaction.rollback()

    def save(self, data, seen_generation):
        """Store ``data`` (from :func:`ostro.replica.records.dump`) as the whole
        state, if nothing was committed since ``seen_generation``.

        Returns the new generation; raises :class:`Conflict` (and writes
        nothing) when the store has moved on.
        """
        with database.writing(self.db) as connection:
            changed = connection.execute(
                update(GENERATION)
                .where(GENERATION.c.id == models.GENERATION_ROW,
                       GENERATION.c.generation == seen_generation)
                .values(generation=GENERATION.c.generation + 1))
            if changed.rowcount != 1:
                raise Conflict(seen_generation, _current(connection))
            stamp = models.utcnow()
            try:
                rows.replace(connection, data, stamp)
            except IntegrityError as exc:
                raise InvalidInput(f"the snapshot contradicts itself: {exc.orig}") from exc
            _log(connection, seen_generation + 1, body(Marker.RELOAD), stamp)
            return seen_generation + 1

    def inventory(self):
        """The synced inventory document (:meth:`Writer.record_inventory`), or None."""
        with database.reading(self.db) as connection:
            return _inventory(connection)

    # -- named groups -------------------------------------------------------

    def list_groups(self):
        with database.reading(self.db) as connection:
            return groups.all_groups(connection)

    def get_group(self, id_or_name):
        with database.reading(self.db) as connection:
            return groups.get(connection, id_or_name)

    def create_group(self, name, kind, level, description="", members=(), max_per_domain=None,
                     enforcement=None):
        """A new :class:`~ostro.model.topology.NamedGroup`; raises
        :class:`~ostro.errors.Duplicate` if the name is taken and
        :class:`~ostro.errors.InvalidInput` for a bad name, type or level."""
        with self._changing() as (connection, stamp):
            return groups.create(connection, name, kind, level, description, members, stamp,
                                 max_per_domain=max_per_domain, enforcement=enforcement)

    def update_group_description(self, id_or_name, description):
        with self._changing() as (connection, stamp):
            return groups.change(connection, id_or_name, stamp, description=description)

    def set_group_members(self, id_or_name, members):
        """Replace the member projects."""
        with self._changing() as (connection, stamp):
            return groups.change(connection, id_or_name, stamp, members=members)

    def add_group_members(self, id_or_name, members):
        """Add member projects (a union, in one transaction)."""
        with self._changing() as (connection, stamp):
            group = groups.get(connection, id_or_name)
            return groups.change(connection, group.id, stamp,
                                 members=[*group.members, *members])

    def remove_group_member(self, id_or_name, project_id):
        """Remove one member project; :class:`NotFound` if it is not one,
        :class:`~ostro.errors.InUse` while it has placed resources in the group."""
        with self._changing() as (connection, stamp):
            return groups.remove_member(connection, id_or_name, project_id, stamp)

    def delete_group(self, id_or_name):
        """Delete a group; :class:`~ostro.errors.InUse` while it has members
        or placed resources are in it."""
        with self._changing() as (connection, _stamp):
            groups.remove(connection, id_or_name)

    @contextlib.contextmanager
    def _changing(self):
        """A write transaction that moves the generation on unconditionally."""
        with database.writing(self.db) as connection:
            stamp = models.utcnow()
            _log(connection, _bump(connection), body(Marker.GROUPS), stamp)
            yield connection, stamp


class Writer:
    """One serialized commit (:meth:`Store.writer`): ``generation`` is the
    one this commit will make; every commit before it is visible."""

    def __init__(self, connection, generation):
        self.connection, self.generation = connection, generation
        self.recorded = False

    def changes_since(self, generation):
        """As :meth:`Store.changes_since`, under the lock (so complete)."""
        return _changes_since(self.connection, generation, self.generation - 1)

    def load(self):
        """As :meth:`Store.load`, under the lock: ``(snapshot data,
        generation)``, the generation being the last one committed."""
        return rows.read(self.connection), self.generation - 1

    def list_groups(self):
        return groups.all_groups(self.connection)

    def record(self, change):
        """Write a delta (:mod:`ostro.replica.changes`) and log it."""
        stamp = models.utcnow()
        try:
            rows.write_change(self.connection, change, stamp)
        except IntegrityError as exc:
            raise InvalidInput(f"the change contradicts the store: {exc.orig}") from exc
        _log(self.connection, self.generation, change, stamp)
        self.recorded = True


    def inventory(self):
        return _inventory(self.connection)

    def record_inventory(self, inventory, data):
        """Store a new data centre (an inventory document) with the whole
        state ``data`` (:func:`ostro.replica.records.dump`) that fits it.

        Logged as a reload: every other cache rebuilds on the new data centre
        (placements moved or dropped with it travel in ``data``).
        """
        stamp = models.utcnow()
        self.connection.execute(delete(INVENTORY))
        self.connection.execute(insert(INVENTORY).values(
            id=models.INVENTORY_ROW, body=inventory, updated_at=stamp))
        try:
            rows.replace(self.connection, data, stamp)
        except IntegrityError as exc:
            raise InvalidInput(f"the snapshot contradicts itself: {exc.orig}") from exc
        _log(self.connection, self.generation, body(Marker.RELOAD, Marker.INVENTORY), stamp)
        self.recorded = True


def _inventory(connection):
    return connection.execute(select(INVENTORY.c.body)).scalar_one_or_none()


def _bump(connection):
    """Move the generation on (taking the write lock); the new generation."""
    generation = connection.execute(
        update(GENERATION).where(GENERATION.c.id == models.GENERATION_ROW)
        .values(generation=GENERATION.c.generation + 1)
        .returning(GENERATION.c.generation)).scalar_one_or_none()
    if generation is None:
        _current(connection)        # raises: no generation row, the schema is missing
    return generation


def _log(connection, generation, body, stamp):
    connection.execute(insert(CHANGES).values(generation=generation, body=body,
                                              created_at=stamp))
    # NOTE: pruning now and then keeps the log short without a job for it.
    if generation % 100 == 0:
        connection.execute(delete(CHANGES).where(CHANGES.c.generation
                                                 <= generation - CHANGES_KEPT))


def _changes_since(connection, generation, current):
    if generation == current:
        return []
    if generation > current:
        return None
    rows = connection.execute(select(CHANGES.c.generation, CHANGES.c.body)
                              .where(CHANGES.c.generation > generation,
                                     CHANGES.c.generation <= current)
                              .order_by(CHANGES.c.generation)).all()
    if len(rows) != current - generation or any(has(row.body, Marker.RELOAD) for row in rows):
        return None
    return [row.body for row in rows]


def _current(connection):
    query = select(GENERATION.c.generation).where(GENERATION.c.id == models.GENERATION_ROW)
    generation = connection.execute(query).scalar_one_or_none()
    if generation is None:
        raise OstroError("the store has no engine_generation row: "
                         "run `valet-db-manage upgrade` first")
    return generation
