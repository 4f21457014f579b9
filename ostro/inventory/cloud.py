"""What Nova (and Cinder) say about the cloud, and the inventory document
made of it.

:class:`Cloud` holds plain data read by :mod:`ostro.inventory.nova` and
:mod:`ostro.inventory.cinder` (a full sync) and patched by
:mod:`ostro.daemon.notifications` between syncs.  :func:`inventory` turns
it into the document of doc/inventory.md (the same format and checks as
the ``file`` driver), which the leader stores for every engine and API
worker (:meth:`Replica.resync`).
"""

import dataclasses
import logging

from ostro.inventory import storage
from ostro.inventory.racks import UNRACKED
from ostro.model.datacenter import RATIO_KEYS

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Cloud:
    """One picture of Nova; every field is keyed by a name Nova gives."""

    #: host -> {vcpus, memory_mb, disk_gb, state, status} (the hypervisor)
    hosts: dict = dataclasses.field(default_factory=dict)
    #: host -> {disabled, up} (its nova-compute service)
    services: dict = dataclasses.field(default_factory=dict)
    #: name -> {metadata, hosts}
    aggregates: dict = dataclasses.field(default_factory=dict)
    #: host -> availability zone
    zones: dict = dataclasses.field(default_factory=dict)
    #: name -> flavor entry of the inventory format
    flavors: dict = dataclasses.field(default_factory=dict)
    #: instance uuid -> :class:`ostro.inventory.instance.Instance`
    servers: dict = dataclasses.field(default_factory=dict)
    #: Cinder pool name -> :func:`ostro.inventory.cinder.pool_entry`; None
    #: while Cinder was never read (the stored document's backends stay)
    pools: dict | None = None
    #: Cinder volume id -> {pool, size}
    volumes: dict = dataclasses.field(default_factory=dict)
    #: when the read began (epoch seconds): older notifications are stale
    synced_at: float = 0.0
    #: instance uuid or host -> stamp of the newest notification applied
    stamps: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Layout:
    """How hosts become a data centre: rack naming and what to do with hosts
    no source places (``place_unracked``: use them, each as its own rack)."""

    naming: object
    name: str = "nova"
    default_cluster: str = "default"
    place_unracked: bool = False


def inventory(cloud, layout, previous=None):
    """The inventory document of ``cloud`` (no load yet: :func:`with_foreign`);
    ``previous``: the document stored before (its flavors stay, so plans
    made with a since-deleted flavor still load)."""
    aggregates = {name: _aggregate(name, spec) for name, spec in sorted(cloud.aggregates.items())}
    racks, hosts = {}, []
    for name in sorted(cloud.hosts):
        member_of = sorted(a for a, spec in cloud.aggregates.items() if name in spec["hosts"])
        rack, cluster, placeable = _domains(name, member_of, aggregates, layout)
        racks.setdefault(rack, {"cluster": cluster})
        hosts.append(_host(name, cloud, rack, member_of, placeable))
    flavors = dict((previous or {}).get("flavors", {}))
    flavors.update(cloud.flavors)
    document = {"datacenter": layout.name, "flavors": flavors, "racks": racks,
                "aggregates": aggregates, "hosts": hosts}
    if cloud.pools is None:
        # NOTE: Cinder not read (yet): what was stored stays, so a leader
        # that cannot reach Cinder releases no placement on a pool.
        _keep_storage(document, previous or {})
    else:
        storage.add_backends(document, cloud.pools, layout)
    return document


def with_foreign(document, foreign, held_gb=None):
    """``document`` with each host's ``used`` set to ``foreign`` load, and
    each backend's ``used_gb`` less ``held_gb`` (pool -> GB of the volumes
    Valet's placements hold, which Valet counts itself)."""
    hosts = [{**host, "used": _rounded(foreign[host["name"]])} if host["name"] in foreign
             else {key: value for key, value in host.items() if key != "used"}
             for host in document["hosts"]]
    document = {**document, "hosts": hosts}
    if held_gb and "storage_backends" in document:
        document["storage_backends"] = storage.less_held(document["storage_backends"],
                                                         held_gb)
    return document


def locations(document):
    """Names of the hosts and backends of an inventory document."""
    return ({host["name"] for host in document["hosts"]}
            | {backend["name"] for backend in document.get("storage_backends", [])})


def _keep_storage(document, previous):
    backends = previous.get("storage_backends")
    if not backends:
        return
    document["storage_backends"] = backends
    for backend in backends:
        if backend.get("rack") in previous.get("racks", {}):
            document["racks"].setdefault(backend["rack"], previous["racks"][backend["rack"]])
    if previous.get("clusters"):
        document["clusters"] = previous["clusters"]


def _aggregate(name, spec):
    entry = {"metadata": {str(k): str(v) for k, v in spec["metadata"].items()}}
    for key in RATIO_KEYS:
        value = spec["metadata"].get(key)
        if value is None:
            continue
        try:
            entry[key] = float(value)
        except ValueError:
            LOG.warning("aggregate %s: %s=%r is not a number; ignored", name, key, value)
    return entry


def _domains(host, member_of, aggregates, layout):
    """``(rack, cluster, placeable)`` of ``host``."""
    metadata = {}
    for name in member_of:
        for key, value in aggregates[name]["metadata"].items():
            metadata.setdefault(key, set()).add(value)
    rack, cluster = layout.naming.resolve(host, metadata)
    placeable = True
    if rack is None:
        # NOTE: a rack of its own, never a shared one (see ostro.inventory.racks).
        rack, placeable = UNRACKED.format(host=host), layout.place_unracked
        LOG.warning("host %s has no rack (no aggregate key, name pattern or mapping "
                    "entry): %s", host, "its own rack" if placeable else "not used")
    if cluster is None:
        cluster = layout.default_cluster
    return rack, cluster, placeable


def _host(name, cloud, rack, member_of, placeable):
    hypervisor = cloud.hosts[name]
    service = cloud.services.get(name, {"disabled": False, "up": True})
    enabled = (placeable and hypervisor.get("state", "up") == "up"
               and hypervisor.get("status", "enabled") == "enabled"
               and not service["disabled"] and service["up"])
    return {"name": name, "rack": rack, "availability_zone": cloud.zones.get(name, "nova"),
             "vcpus": int(hypervisor["vcpus"]), "memory_mb": int(hypervisor["memory_mb"]),
             "disk_gb": int(hypervisor["disk_gb"]), "aggregates": member_of,
             "enabled": bool(enabled)}


def _rounded(load):
    # NOTE: swap is MB, so disk load may be fractional; JSON keeps it, but
    # comparing documents must not flap on float noise.
    return {key: round(value, 3) for key, value in load.items()}
