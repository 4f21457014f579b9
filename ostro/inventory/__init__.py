"""Where the data centre comes from (``[inventory] driver``): ``file`` (a
YAML document, :mod:`.file`) or ``nova`` (synced from Nova by the leader
engine, :mod:`.nova`, and read from the store by everyone)."""

from ostro.config import EngineSettings
from ostro.errors import OstroError, Unavailable


def cached_engine(conf, store):
    """The :class:`~ostro.state.cache.CachedEngine` over ``store`` for
    ``[inventory] driver``."""
    from ostro.inventory import file as inventory_file
    from ostro.state.cache import CachedEngine

    settings = EngineSettings.from_conf(conf)
    if conf.inventory.driver == "nova":
        def not_synced():
            raise Unavailable("no data centre yet: the leader valet-engine has not "
                              "synced the inventory from Nova")
        return CachedEngine(store, not_synced, settings, stored_inventory=True)

    def load_datacenter():
        # NOTE: read on first use, and again on the next request after a
        # failure, so a fixed inventory needs no restart.
        try:
            return inventory_file.load(conf.inventory.file)
        except OstroError as exc:
            raise Unavailable(f"the engine cannot read its inventory: {exc.message}") from exc

    return CachedEngine(store, load_datacenter, settings)
