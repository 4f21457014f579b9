"""Cinder's ValetFilter (alias AllegroFilter): a volume of a planned stack
may go only to the backend (pool) Valet planned for it.

Cinder loads it by its entry point (``cinder.scheduler.filters``) when
``scheduler_default_filters`` names it.  The placement is looked up once
per request, not once per backend: by the Heat hint ``heat_resource_uuid``
(Heat's volume sends it in the volume's scheduler hints with
``stack_scheduler_hints = true``), else by the volume id (a placement
confirmed before, e.g. on a reschedule).  The lookup is a reserve with the
backends Cinder still considers: Valet confirms its planned backend if it is
among them, else re-plans the volume within them.  A volume that no plan
knows (404) passes everywhere.  When Valet cannot answer, ``[valet]
failure_mode`` decides (:func:`valet_openstack.client.on_failure`):
``reject`` passes no backend, ``yield`` every one.  Cinder builds a filter
object per request, so the lookup's client is closed after it.

Valet's storage backend names (the inventory's ``storage_backends``) are
Cinder's pool names, ``host@backend#pool``.
"""

import logging

from cinder.scheduler import filters
from oslo_config import cfg

from valet_openstack import client as valet_client
from valet_openstack import options

LOG = logging.getLogger(__name__)
HINT = "heat_resource_uuid"

options.register_opts(cfg.CONF)


class ValetFilter(filters.BaseBackendFilter):
    """Passes only the backend Valet planned for the volume."""

    # NOTE: Valet answers for the whole request at once (filter_all).
    run_filter_once_per_request = False

    def __init__(self, conf=None):
        super().__init__()
        self.conf = conf or cfg.CONF

    def filter_all(self, filter_obj_list, filter_properties):
        backends = list(filter_obj_list)
        location = self._planned_location(backends, filter_properties or {})
        if location is ALL:
            return backends
        return [b for b in backends if location in (b.host, b.backend_id)]

    def backend_passes(self, host_state, filter_properties):
        return bool(self.filter_all([host_state], filter_properties))

    def _planned_location(self, backends, filter_properties):
        """The backend name to pass, :data:`ALL`, or ``None`` (none passes)."""
        hints = filter_properties.get("scheduler_hints") or {}
        spec = filter_properties.get("request_spec") or {}
        volume_id = spec.get("volume_id")
        key = _single(hints.get(HINT)) or volume_id
        if not key:
            return ALL
        try:
            # NOTE: the scheduling request's id, so Valet's log names it too.
            request_id = valet_client.global_id_of(filter_properties.get("context"))
            with valet_client.ValetClient(self.conf, global_request_id=request_id) as valet:
                placement = valet.reserve(key, [b.host for b in backends],
                                          resource_id=volume_id)
        except valet_client.NotFound:
            return ALL
        except valet_client.Unavailable as exc:
            return valet_client.on_failure(self.conf, exc, f"place volume {key}",
                                           yielded=ALL, rejected=None)
        except valet_client.ValetError as exc:
            LOG.error("Valet: no backend for volume %s: %s", key, exc)
            return None
        return placement["location"]


class AllegroFilter(ValetFilter):
    """The original Valet's name of :class:`ValetFilter` (cinder picks
    filters by class name, so this is a subclass, not an alias)."""


ALL = object()


def _single(value):
    # NOTE: scheduler hints may come as one-element lists from the API.
    if isinstance(value, list):
        return value[0] if value else None
    return value
