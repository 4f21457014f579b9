"""The leader's picture of Nova and the commits that follow it.

A full sync replaces the picture (:class:`~ostro.inventory.cloud.Cloud`)
with a fresh read of Nova; a notification patches it.  Either way the same
:meth:`Reconciler.apply` follows: the inventory document, the reconciled
placements (:func:`ostro.daemon.reconcile.reconcile`) and one commit through
:meth:`Replica.resync`, which writes nothing when nothing differs.  So
a duplicate notification, or a notification the last sync already saw,
changes nothing.

With a ``fetch_storage`` (``[inventory] storage = cinder``) the sync also
reads Cinder's pools and volumes; Cinder failing to answer only costs the
pools' freshness: the host sync goes on, with the pools last read.
"""

import logging
import threading

from ostro.daemon.reconcile import ActionKind, reconcile
from ostro.inventory import cloud as cloud_model
from ostro.model import plan as plan_model
from ostro.views import violations

LOG = logging.getLogger(__name__)


class Reconciler:
    """``fetch()`` reads Nova into a Cloud, ``fetch_storage()`` (optional)
    Cinder into a :class:`~ostro.inventory.cinder.Storage`; ``replica`` is
    the engine replica."""

    def __init__(self, replica, layout, fetch, fetch_storage=None):
        self.replica, self.layout, self._fetch = replica, layout, fetch
        self._fetch_storage = fetch_storage
        self.cloud = None
        self._lock = threading.Lock()
        self._storage_error = None

    def sync(self):
        """Read all of Nova (and Cinder) and reconcile with it."""
        started = plan_model.now()
        cloud = self._fetch()
        cloud.synced_at = started
        self._read_storage(cloud)
        with self._lock:
            # NOTE: events newer than the read's start are kept over it only
            # per instance, by their stamps (notifications.py).
            self.cloud = cloud
            return self.apply()

    def _read_storage(self, cloud):
        """Cinder's pools and volumes into ``cloud``; when Cinder fails,
        the last ones read (none before the first success: then the stored
        document's backends stay, :func:`ostro.inventory.cloud.inventory`)."""
        if self._fetch_storage is None:
            return
        try:
            storage = self._fetch_storage()
        # NOTE: any failure (catalog, auth, HTTP, a malformed answer) must
        # leave the host sync alone: Nova's picture is still worth committing.
        except Exception as exc:  # noqa: BLE001
            previous = self.cloud
            if previous is not None:
                cloud.pools, cloud.volumes = previous.pools, previous.volumes
            message = f"{type(exc).__name__}: {exc}"
            # NOTE: once per kind of failure, not every sync interval.
            log = LOG.debug if message == self._storage_error else LOG.warning
            log("cinder sync failed (%s); keeping the pools last read", message)
            self._storage_error = message
            return
        if self._storage_error is not None:
            LOG.warning("cinder sync works again")
            self._storage_error = None
        cloud.pools, cloud.volumes = storage.pools, storage.volumes

    def patch(self, change):
        """Apply ``change(cloud)`` (True when it changed something) to the
        picture and reconcile; before the first sync there is nothing to
        patch, and the first sync will read the change from Nova anyway."""
        with self._lock:
            if self.cloud is None or not change(self.cloud):
                return False
            return self.apply()

    def apply(self):
        """Commit what the picture implies; True when the data centre changed."""
        actions = []

        def operation(data, groups, stored):
            cloud = self.cloud
            base = cloud_model.inventory(cloud, self.layout, previous=stored)
            # NOTE: without a read of Cinder the stored backends stand as they
            # are (their used space already excludes what Valet holds).
            volumes = None if cloud.pools is None else cloud.volumes
            outcome = reconcile(data, cloud.servers, cloud_model.locations(base),
                                plan_model.now(), known_groups=groups,
                                known_flavors=set(base["flavors"]), volumes=volumes)
            actions[:] = outcome.actions
            return cloud_model.with_foreign(base, outcome.foreign, outcome.held_gb), \
                outcome.data

        changed = self.replica.resync(operation)
        for action in actions:
            LOG.info("reconcile: %s", action.message)
        if any(action.kind is ActionKind.MOVED for action in actions):
            # NOTE: a moved instance may now break its group's rules; the
            # checker says so here and in GET /v1/resources.
            for key, found in self.replica.read(violations.show).items():
                LOG.warning("placement %s breaks its rules: %s", key, found["message"])
        return changed
