"""The engine's in-memory replica of the store (DESIGN §6): an
:class:`~ostro.engine.Engine` caught up with the store's change log
(:mod:`.cache`), the deltas it writes and replays (:mod:`.changes`), and the
plans and placements as plain records (:mod:`.records`)."""

from ostro.config import EngineSettings
from ostro.errors import OstroError, Unavailable
from ostro.inventory import file as inventory_file
from ostro.replica.cache import Replica


def replica_for(conf, store):
    """The :class:`~ostro.replica.cache.Replica` over ``store`` for
    ``[inventory] driver``."""
    settings = EngineSettings.from_conf(conf)
    if conf.inventory.driver == "nova":
        def not_synced():
            raise Unavailable("no data centre yet: the leader valet-engine has not "
                              "synced the inventory from Nova")
        return Replica(store, not_synced, settings, stored_inventory=True)

    def load_datacenter():
        # NOTE: read on first use, and again on the next request after a
        # failure, so a fixed inventory needs no restart.
        try:
            return inventory_file.load(conf.inventory.file)
        except OstroError as exc:
            raise Unavailable(f"the engine cannot read its inventory: {exc.message}") from exc

    return Replica(store, load_datacenter, settings)
