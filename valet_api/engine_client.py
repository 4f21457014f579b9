"""How the API reaches the engine (``[engine] mode``, DESIGN §2 and §6).

Either way the API holds an object with the operations of
:class:`ostro.operations.Operations` (named calls, JSON in and out):

* ``mode = local``: the engine runs in the API process, as a cache of the
  store (:class:`ostro.state.cache.CachedEngine`); every worker process has
  its own and they meet in the store's serialized commits.
* ``mode = rpc``: the operations are forwarded to the engine service.
"""

from ostro.config import EngineSettings
from ostro.errors import OstroError, Unavailable
from ostro.inventory import file as inventory_file
from ostro.operations import Operations
from ostro.state.cache import CachedEngine


def for_conf(conf, store):
    """The engine client ``[engine] mode`` asks for."""
    if conf.engine.mode == "local":
        return local(conf, store)
    return UnavailableEngine(f"[engine] mode = {conf.engine.mode} is not supported yet")


def local(conf, store):
    """The engine in this process, over ``store``, reading ``[inventory] file``."""
    def load_datacenter():
        # NOTE: read on first use, and again on the next request after a
        # failure, so a fixed inventory needs no restart.
        try:
            return inventory_file.load(conf.inventory.file)
        except OstroError as exc:
            raise Unavailable(f"the engine cannot read its inventory: {exc.message}") from exc

    return Operations(CachedEngine(store, load_datacenter, EngineSettings.from_conf(conf)))


class UnavailableEngine:
    """An engine client that answers every operation with a 503."""

    def __init__(self, reason):
        self.reason = reason

    def __getattr__(self, name):
        if name not in Operations.NAMES:
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise Unavailable(self.reason)
        return unavailable
