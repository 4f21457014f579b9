"""Cinder's pools, read for the ``nova`` inventory driver (``[inventory]
storage = cinder``).

:func:`read` asks Cinder (python-cinderclient on the same keystoneauth1
session as Nova's reader, :mod:`ostro.inventory.keystone`) for what
placing a volume depends on and returns it as a :class:`Storage`:

* pools (``GET /scheduler-stats/get_pools?detail=True``): capacity, free
  space, reserved percentage, backend name and capabilities (where
  ``valet_rack`` / ``valet_cluster`` may name the pool's rack);
* cinder-volume services: the zone of each backend, and whether it is
  disabled or down;
* volume types and the backend each selects (extra spec
  ``volume_backend_name``);
* the volumes of every project: pool and size, so that a placement Valet
  made is bound to its volume and not counted twice.

All of it is admin-only in Cinder's default policy.
"""

import dataclasses
import logging
import math
import numbers

from cinderclient import client as cinder_client

from ostro.inventory import keystone

LOG = logging.getLogger(__name__)

#: The extra spec by which a volume type selects backends.
BACKEND_SPEC = "volume_backend_name"


@dataclasses.dataclass
class Storage:
    """One picture of Cinder."""

    #: pool name (``host@backend#pool``) -> see :func:`pool_entry`
    pools: dict = dataclasses.field(default_factory=dict)
    #: volume id -> {"pool": pool name or None, "size": GB}
    volumes: dict = dataclasses.field(default_factory=dict)


def client(conf, **session_options):
    """A cinderclient on ``[inventory]``'s keystoneauth1 credentials."""
    group = conf.inventory
    return cinder_client.Client(group.volume_api_version,
                                session=keystone.session(conf, **session_options),
                                region_name=group.region_name, interface=group.interface,
                                endpoint_override=group.volume_endpoint_override)


def read(cinder):
    """Everything Valet needs from ``cinder`` (a cinderclient Client)."""
    services = {service.host: service
                for service in cinder.services.list(binary="cinder-volume")}
    selects = _types_by_backend(cinder.volume_types.list(is_public=None))
    storage = Storage()
    for pool in cinder.pools.list(detailed=True):
        # NOTE: cinderclient moves the capabilities up into attributes of
        # the pool; the answer as Cinder gave it keeps them apart.
        capabilities = pool.to_dict().get("capabilities") or {}
        storage.pools[pool.name] = pool_entry(pool.name, capabilities,
                                              services.get(service_host(pool.name)), selects)
    for volume in cinder.volumes.list(detailed=True, search_opts={"all_tenants": 1}):
        storage.volumes[volume.id] = {"pool": getattr(volume, "os-vol-host-attr:host", None),
                                      "size": volume.size}
    LOG.info("read from cinder: %d pools, %d volumes", len(storage.pools),
             len(storage.volumes))
    return storage


def service_host(pool_name):
    """The cinder-volume service (``host@backend``) of ``host@backend#pool``."""
    return pool_name.partition("#")[0]


def pool_entry(name, capabilities, service, selects):
    """What Valet keeps of one pool: ``total_gb`` and ``free_gb`` (None
    when Cinder reports ``infinite`` or ``unknown``), ``reserved_percentage``,
    ``backend``, ``availability_zone``, ``enabled``, ``volume_types`` and
    the scalar ``capabilities`` as text."""
    backend = capabilities.get(BACKEND_SPEC)
    enabled = True
    zone = None
    if service is not None:
        zone = getattr(service, "zone", None)
        enabled = service.status == "enabled" and service.state == "up"
    # NOTE: a type without a backend name goes to any backend in Cinder.
    types = sorted(set(selects.get(backend, ())) | set(selects.get(None, ())))
    return {"total_gb": _gb(capabilities.get("total_capacity_gb")),
            "free_gb": _gb(capabilities.get("free_capacity_gb")),
            "reserved_percentage": _gb(capabilities.get("reserved_percentage")) or 0,
            "backend": backend, "availability_zone": zone, "enabled": enabled,
            "volume_types": types,
            "capabilities": {str(key): str(value) for key, value in capabilities.items()
                             if isinstance(value, (str, numbers.Number))}}


def _types_by_backend(volume_types):
    """backend name (None: any backend) -> names of the types selecting it."""
    selects = {}
    for volume_type in volume_types:
        specs = getattr(volume_type, "extra_specs", None)
        if specs is None:
            specs = volume_type.get_keys()
        selects.setdefault((specs or {}).get(BACKEND_SPEC), []).append(volume_type.name)
    return selects


def _gb(value):
    # NOTE: drivers report numbers, numeric text, or "infinite"/"unknown"
    # (thin pools, a backend that cannot tell): those are no number.
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
