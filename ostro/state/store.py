"""The store: where the engine's state and the named groups live (DESIGN §6).

Truth lives here; an engine's memory is a cache rebuilt from it::

    data, generation = store.load()
    engine = ostro.snapshot.load(datacenter, data, settings, store.list_groups())
    ... engine.plan(...) ...
    store.save(ostro.snapshot.dump(engine), generation)   # or Conflict: start again

Every change moves one counter, the *generation*, on by one in the same
transaction.  :meth:`Store.save` moves it only from the generation its
snapshot was loaded at (``UPDATE ... WHERE generation = :seen``); when that
changes no row, another writer got there first and the caller must reload
and plan again.  Of any number of writers that loaded the same generation,
exactly one commits.  Group changes move the generation too, since a plan
depends on the groups it was made with; read the groups *after* ``load()``
so a plan never rests on groups newer than its generation says.

Known limitation: ``save`` is given the whole snapshot, and reads every plan
and placement row to find what changed (it writes only what differs).  Cost
grows with the number of plans, and every save serializes on the one
generation row.  The API issue may make commits incremental (per plan).
"""

import contextlib

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ostro.errors import InvalidInput, NotFound, OstroError
from ostro.state import database, groups, models, snapshot_rows

GENERATION = models.EngineGeneration.__table__


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

    def __init__(self, url):
        self.url = url
        self.engine = database.create_engine(url)

    def close(self):
        """Close the pooled connections."""
        self.engine.dispose()

    # -- the engine's state -------------------------------------------------

    def generation(self):
        with database.reading(self.engine) as connection:
            return _current(connection)

    def load(self):
        """``(snapshot data, generation)``, read in one transaction."""
        with database.reading(self.engine) as connection:
            return snapshot_rows.read(connection), _current(connection)

    def save(self, data, seen_generation):
        """Store ``data`` (from :func:`ostro.snapshot.dump`) as the whole
        state, if nothing was committed since ``seen_generation``.

        Returns the new generation; raises :class:`Conflict` (and writes
        nothing) when the store has moved on.
        """
        with database.writing(self.engine) as connection:
            changed = connection.execute(
                update(GENERATION)
                .where(GENERATION.c.id == models.GENERATION_ROW,
                       GENERATION.c.generation == seen_generation)
                .values(generation=GENERATION.c.generation + 1))
            if changed.rowcount != 1:
                raise Conflict(seen_generation, _current(connection))
            try:
                snapshot_rows.replace(connection, data, models.utcnow())
            except IntegrityError as exc:
                raise InvalidInput(f"the snapshot contradicts itself: {exc.orig}") from exc
            return seen_generation + 1

    # -- named groups -------------------------------------------------------

    def list_groups(self):
        with database.reading(self.engine) as connection:
            return groups.all_groups(connection)

    def get_group(self, id_or_name):
        with database.reading(self.engine) as connection:
            return groups.get(connection, id_or_name)

    def create_group(self, name, kind, level, description="", members=()):
        """A new :class:`~ostro.model.topology.NamedGroup`; raises
        :class:`~ostro.errors.Duplicate` if the name is taken and
        :class:`~ostro.errors.InvalidInput` for a bad name, type or level."""
        with self._changing() as (connection, stamp):
            return groups.create(connection, name, kind, level, description, members, stamp)

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
        """Remove one member project; :class:`NotFound` if it is not one."""
        with self._changing() as (connection, stamp):
            group = groups.get(connection, id_or_name)
            if project_id not in group.members:
                raise NotFound(f"project {project_id} is not a member of group {group.name}")
            return groups.change(connection, group.id, stamp,
                                 members=[m for m in group.members if m != project_id])

    def delete_group(self, id_or_name):
        """Delete a group; :class:`~ostro.errors.InUse` while it has members."""
        with self._changing() as (connection, _stamp):
            groups.remove(connection, id_or_name)

    @contextlib.contextmanager
    def _changing(self):
        """A write transaction that moves the generation on unconditionally."""
        with database.writing(self.engine) as connection:
            connection.execute(update(GENERATION)
                               .where(GENERATION.c.id == models.GENERATION_ROW)
                               .values(generation=GENERATION.c.generation + 1))
            yield connection, models.utcnow()


def _current(connection):
    query = select(GENERATION.c.generation).where(GENERATION.c.id == models.GENERATION_ROW)
    generation = connection.execute(query).scalar_one_or_none()
    if generation is None:
        raise OstroError("the store has no engine_generation row: "
                         "run `valet-db-manage upgrade` first")
    return generation
