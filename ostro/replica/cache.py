"""An engine that is a cache of the store (DESIGN §6).

Truth lives in the store; :class:`Replica` keeps an
:class:`ostro.engine.Engine` in memory and catches it up with the store's
change log before every use.  A change is one serialized commit::

    with store.writer() as writer:             # the write lock (other writers wait)
        catch up with writer.changes_since(my generation)
        engine.expire()                        # planned / reserved past their TTL
        result = operation(engine)
        writer.record(delta of what changed)   # only those rows, and one log row

so any number of API workers and engines may share one database: each
commit sees every earlier one, none is lost, and nobody is refused for
contention.  The price is that commits do not overlap; the critical section
is a catch-up (usually zero to a few deltas), the operation, and a handful
of row writes.
"""

import logging
import threading

from ostro.errors import OstroError
from ostro.inventory import file as inventory_file
from ostro.replica import changes, records
from ostro.state import changelog

LOG = logging.getLogger(__name__)


class Replica:
    """``store``'s engine state over the data centre ``load_datacenter()``
    returns (called on first use, and again after it raised)."""

    def __init__(self, store, load_datacenter, settings, stored_inventory=False):
        self.store, self.settings = store, settings
        self._load_datacenter = load_datacenter
        # NOTE: with a syncing inventory driver (nova) the data centre lives
        # in the store, written by the leader's sync (:meth:`resync`);
        # ``load_datacenter`` only says why there is none yet.
        self.stored_inventory = stored_inventory
        self._datacenter = None
        self._engine = None
        self._generation = None
        self._lock = threading.Lock()

    @property
    def datacenter(self):
        if self._datacenter is None:
            self._datacenter = self._load_datacenter()
        return self._datacenter

    # -- the entry points ---------------------------------------------------

    def write(self, operation):
        """``operation(engine)``, committed.  Engine refusals (NoPlacement,
        InvalidInput, NotFound) pass through and change nothing."""
        with self._lock, self.store.writer() as writer:
            engine = self._caught_up(writer)
            try:
                # NOTE: expiry rides on every write, inside its commit, so the
                # releases are stored with it (DESIGN §6 TTLs).
                expired = engine.expire()
                result = operation(engine)
            except OstroError:
                # NOTE: a refusal changes nothing, but an expiry may have; the
                # commit rolls back, so the cache must forget it too.
                if engine.take_changes():
                    self._drop()
                raise
            except BaseException:
                self._drop()        # a bug may have left the cache half changed
                raise
            change = changes.delta(engine, engine.take_changes())
            if not changes.is_empty(change):
                try:
                    writer.record(change)
                except BaseException:
                    self._drop()
                    raise
                self._generation = writer.generation
            if expired:
                LOG.info("released placements past their TTL: %s", ", ".join(sorted(expired)))
            return result

    def resync(self, operation):
        """Reconcile with the cloud in one commit: ``operation(data, groups,
        stored)`` (``data``: the whole state, :func:`ostro.replica.records.dump`;
        ``groups``: the named groups' names; ``stored``: the inventory
        document in the store, or None) returns ``(inventory, data)``, the
        data centre and the whole state that should hold now.

        An unchanged data centre commits only the plans and placements that
        differ (a delta); a changed one is stored with the whole state, and
        every other cache reloads.  Nothing different: nothing is written.
        Returns whether the data centre changed.
        """
        with self._lock, self.store.writer() as writer:
            stored, expired = writer.inventory(), []
            groups = writer.list_groups()
            try:
                if stored is None and self.stored_inventory:
                    # NOTE: the first sync: no data centre to build a cache on yet.
                    engine, (before, _) = None, writer.load()
                else:
                    engine = self._caught_up(writer)
                    expired = engine.expire()
                    before = records.dump(engine)
                inventory, data = operation(before, {g.name for g in groups}, stored)
                if inventory == stored and engine is not None:
                    changes.apply(engine, changes.diff(before, data))
                    change = changes.delta(engine, engine.take_changes())
                    if not changes.is_empty(change):
                        writer.record(change)
                else:
                    datacenter = inventory_file.build(inventory, "synced inventory")
                    engine = records.load(datacenter, data, self.settings, groups)
                    writer.record_inventory(inventory, records.dump(engine))
                    self._datacenter, self._engine = datacenter, engine
            except BaseException:
                self._drop()
                raise
            if writer.recorded:
                self._generation = writer.generation
            if expired:
                LOG.info("released placements past their TTL: %s", ", ".join(sorted(expired)))
            return inventory != stored

    def read(self, operation):
        """``operation(engine)`` on an up-to-date cache, never stored (so it
        expires nothing: placements past their TTL show until the next write)."""
        with self._lock:
            if self._engine is None:
                engine = self._reload(self.store)
            else:
                current, pending = self.store.changes_since(self._generation)
                engine = self._replay(current, pending, self.store)
            return operation(engine)

    def peek(self, operation):
        """``operation(engine)`` on the cache as it is, without asking the
        store whether it is current (None when there is no cache yet).

        For a quick answer that a fresh :meth:`read` or a :meth:`write`
        then confirms: it saves the store round trips of a read before
        the write lock when the cache already knows enough.
        """
        with self._lock:
            if self._engine is None:
                return None
            return operation(self._engine)

    # -- the cache ----------------------------------------------------------

    def _caught_up(self, writer):
        # NOTE: no cache yet: load it, rather than read a change log that
        # could only say "reload" (the cache and its generation go together).
        if self._engine is None:
            return self._reload(writer)
        return self._replay(writer.generation - 1, writer.changes_since(self._generation),
                            writer)

    def _replay(self, current, pending, source):
        """The cache, at generation ``current``: with ``pending`` replayed,
        or reloaded from ``source`` (the store or a writer) when they cannot
        be (``None``)."""
        if current == self._generation and not pending:
            return self._engine
        if pending is None:
            return self._reload(source)
        try:
            for change in pending:
                if changelog.has(change, changelog.Marker.GROUPS):
                    self._engine.named_groups.clear()
                    for group in source.list_groups():
                        self._engine.add_named_group(group)
                else:
                    changes.apply(self._engine, change)
        except BaseException:
            self._drop()
            raise
        # NOTE: what the replay changed is stored already; the cache holds
        # no untaken changes between commits.
        self._engine.take_changes()
        self._generation = current
        return self._engine

    def _reload(self, source):
        """The engine as ``source`` (the store or a writer) holds it."""
        if self.stored_inventory:
            inventory = source.inventory()
            self._datacenter = (None if inventory is None
                                else inventory_file.build(inventory, "synced inventory"))
        with records.bulk():
            data, current = source.load()
        # NOTE: groups read after the plans, so a plan never rests on groups
        # newer than its generation says (ostro.state.store).
        self._engine = records.load(self.datacenter, data, self.settings, source.list_groups())
        self._generation = current
        return self._engine

    def _drop(self):
        self._engine, self._generation = None, None
