"""Cinder pools as the inventory document's ``storage_backends``
(doc/inventory.md), beside the hosts :mod:`ostro.inventory.cloud` makes.

A pool's rack and cluster come from the same sources as a host's
(:class:`ostro.inventory.racks.Naming`), asked in this order:

1. the pool's capabilities (``[inventory] rack_metadata_key``,
   ``cluster_metadata_key``, e.g. ``valet_rack`` in the driver's stats or
   the backend's ``extra_capabilities``);
2. the name pattern and the mapping file, over the whole pool name
   (``host@backend#pool``) and then over its host part (``host``): a pool
   of a storage node named like a compute is in that node's rack.

A pool with only a cluster belongs to that cluster; a pool nothing places
is treated like such a host: a rack of its own, used only with
``[inventory] place_unracked_hosts``.
"""

import logging

from ostro.inventory.racks import UNRACKED

LOG = logging.getLogger(__name__)


def add_backends(document, pools, layout):
    """Add ``pools`` (name -> :func:`ostro.inventory.cinder.pool_entry`)
    to ``document`` as ``storage_backends``, with the racks and clusters
    they name."""
    backends = []
    for name in sorted(pools):
        pool = pools[name]
        rack, cluster, placeable = _domains(name, pool["capabilities"], layout)
        if rack is not None:
            # NOTE: the rack's cluster decides (the hosts named it first).
            known = document["racks"].setdefault(rack, {"cluster": cluster})
            if known["cluster"] != cluster:
                LOG.warning("pool %s: rack %s is in cluster %s, not %s", name, rack,
                            known["cluster"], cluster)
        elif cluster is not None:
            document.setdefault("clusters", {}).setdefault(cluster, {})
        backends.append(_backend(name, pool, rack, cluster, placeable))
    document["storage_backends"] = backends


def less_held(backends, held_gb):
    """``backends`` with ``used_gb`` less what Valet's own placements hold
    on each (Cinder's free space counts every volume; Valet counts the
    volumes it placed itself)."""
    return [{**backend, "used_gb": max(0.0, backend["used_gb"] - held_gb[backend["name"]])}
            if held_gb.get(backend["name"]) else backend for backend in backends]


def used_gb(pool):
    """What Cinder's CapacityFilter considers taken: used space plus the
    reserved percentage of the total (None: Cinder cannot tell)."""
    total, free = pool["total_gb"], pool["free_gb"]
    if total is None or free is None:
        return None
    reserved = total * pool["reserved_percentage"] / 100.0
    return round(min(total, max(0.0, total - free) + reserved), 3)


def _domains(name, capabilities, layout):
    """``(rack, cluster, placeable)`` of the pool ``name``."""
    metadata = {key: {value} for key, value in capabilities.items()}
    rack, cluster = layout.naming.resolve(name, metadata)
    if rack is None:
        host = name.partition("@")[0].partition("#")[0]
        rack, cluster = layout.naming.resolve(host, metadata)
    if rack is None and cluster is not None:
        return None, cluster, True
    if rack is None:
        LOG.warning("pool %s has no rack (no capability, name pattern or mapping entry): "
                    "%s", name, "its own rack" if layout.place_unracked else "not used")
        return UNRACKED.format(host=name), layout.default_cluster, layout.place_unracked
    return rack, cluster or layout.default_cluster, True


def _backend(name, pool, rack, cluster, placeable):
    used = used_gb(pool)
    if used is None:
        # NOTE: capacity "infinite" or "unknown": Valet cannot count it, so
        # it plans nothing new there but keeps what is placed on it.
        LOG.warning("pool %s reports capacity %s: not used for new volumes", name,
                    pool["capabilities"].get("total_capacity_gb"))
    entry = {"name": name, "capacity_gb": pool["total_gb"] if used is not None else 0,
             "used_gb": used or 0, "volume_types": list(pool["volume_types"]),
             "availability_zone": pool["availability_zone"] or "nova",
             "enabled": bool(pool["enabled"] and placeable and used is not None)}
    if rack is not None:
        entry["rack"] = rack
    elif cluster is not None:
        entry["cluster"] = cluster
    return entry
