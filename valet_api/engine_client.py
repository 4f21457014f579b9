"""How the API reaches the engine (``[engine] mode``, DESIGN §2 and §6).

``mode = local``: :class:`LocalEngine` runs the engine in the API process.
Truth lives in the store; the in-process :class:`ostro.service.Engine` is a
cache of it, rebuilt whenever the store's generation moved (another worker,
another engine, a group change).  Every changing operation is::

    generation = store.generation(); rebuild the cache if it differs
    engine.expire()          # planned / reserved placements past their TTL
    result = operation(engine)
    store.save(ostro.snapshot.dump(engine), generation)   # Conflict: drop, retry

so any number of API workers may share one database: of two writers that
planned on the same generation, one commits and the other plans again on
the fresh snapshot.  ``mode = rpc`` is not implemented yet (503).
"""

import copy
import logging
import threading

from ostro import snapshot
from ostro.config import EngineSettings
from ostro.errors import OstroError
from ostro.inventory import file as inventory_file
from ostro.state.store import Conflict
from valet_api import errors

LOG = logging.getLogger(__name__)

#: Attempts of one operation before a run of store conflicts is a 503.
ATTEMPTS = 5


def for_conf(conf, store):
    """The engine client ``[engine] mode`` asks for."""
    if conf.engine.mode == "local":
        return LocalEngine(conf, store)
    return UnavailableEngine(f"[engine] mode = {conf.engine.mode} is not supported yet")


class UnavailableEngine:
    """An engine client that answers every call with a 503."""

    def __init__(self, reason):
        self.reason = reason

    def run(self, operation):
        raise errors.ServiceUnavailable(self.reason)

    read = run


class LocalEngine:
    """The engine in this process, over ``store`` (DESIGN §6).

    The data centre is read once from ``[inventory] file`` on first use
    (an unreadable inventory is a 503, tried again on the next request).
    """

    def __init__(self, conf, store, attempts=ATTEMPTS):
        self.conf, self.store, self.attempts = conf, store, attempts
        self._datacenter = None
        self._engine = None
        self._generation = None
        self._lock = threading.Lock()

    # -- the two entry points -----------------------------------------------

    def run(self, operation):
        """``operation(engine)``, committed to the store; retried on a fresh
        snapshot when another writer committed first.  Engine refusals
        (NoPlacement, InvalidInput, NotFound) pass through: the engine
        changes nothing when it refuses."""
        with self._lock:
            for attempt in range(1, self.attempts + 1):
                engine, seen = self._refreshed()
                before = copy.deepcopy(snapshot.dump(engine))
                expired = []
                try:
                    # NOTE: expiry rides on every write, inside its attempt,
                    # so the releases are saved with it (DESIGN §6 TTLs).
                    expired = engine.expire()
                    result = operation(engine)
                except OstroError:
                    if expired:
                        # NOTE: the refusal saves nothing, so neither may
                        # the cache keep the releases; the next write redoes them.
                        self._drop()
                    raise
                except BaseException:
                    # NOTE: a bug may have left the cache half changed.
                    self._drop()
                    raise
                after = snapshot.dump(engine)
                if after == before:
                    return result
                try:
                    self._generation = self.store.save(after, seen)
                except Conflict as exc:
                    LOG.info("store conflict on attempt %d of %d: %s",
                             attempt, self.attempts, exc.message)
                    self._drop()
                    continue
                except BaseException:
                    # NOTE: the cache holds a change the store refused.
                    self._drop()
                    raise
                return result
            raise errors.ServiceUnavailable(
                f"the store changed under {self.attempts} attempts in a row; "
                "too many concurrent writers, try again")

    def read(self, operation):
        """``operation(engine)`` on an up-to-date cache, never saved (so it
        expires nothing: placements past their TTL show until the next write)."""
        with self._lock:
            engine, _ = self._refreshed()
            return operation(engine)

    # -- the cache ----------------------------------------------------------

    def datacenter(self):
        if self._datacenter is None:
            path = self.conf.inventory.file
            try:
                self._datacenter = inventory_file.load(path)
            except OstroError as exc:
                raise errors.ServiceUnavailable(
                    f"the engine cannot read its inventory: {exc.message}") from exc
        return self._datacenter

    def _refreshed(self):
        """``(engine, generation)``: the cache, rebuilt if the store moved on."""
        datacenter = self.datacenter()
        current = self.store.generation()
        if self._engine is None or current != self._generation:
            data, generation = self.store.load()
            # NOTE: groups read after load(), so a plan never rests on groups
            # newer than its generation says (ostro.state.store).
            named_groups = self.store.list_groups()
            self._engine = snapshot.load(datacenter, data, EngineSettings.from_conf(self.conf),
                                         named_groups)
            self._generation = generation
        return self._engine, self._generation

    def _drop(self):
        self._engine, self._generation = None, None
