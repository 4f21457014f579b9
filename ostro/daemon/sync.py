"""The leader's picture of Nova and the commits that follow it.

A full sync replaces the picture (:class:`~ostro.inventory.cloud.Cloud`)
with a fresh read of Nova; a notification patches it.  Either way the same
:meth:`Reconciler.apply` follows: the inventory document, the reconciled
placements (:func:`ostro.daemon.reconcile.reconcile`) and one commit through
:meth:`Replica.resync`, which writes nothing when nothing differs.  So
a duplicate notification, or a notification the last sync already saw,
changes nothing.
"""

import logging
import threading

from ostro.daemon.reconcile import ActionKind, reconcile
from ostro.inventory import cloud as cloud_model
from ostro.model import plan as plan_model
from ostro.views import violations

LOG = logging.getLogger(__name__)


class Reconciler:
    """``fetch()`` reads Nova into a Cloud; ``replica`` is the engine replica."""

    def __init__(self, replica, layout, fetch):
        self.replica, self.layout, self._fetch = replica, layout, fetch
        self.cloud = None
        self._lock = threading.Lock()

    def sync(self):
        """Read all of Nova and reconcile with it."""
        started = plan_model.now()
        cloud = self._fetch()
        cloud.synced_at = started
        with self._lock:
            # NOTE: events newer than the read's start are kept over it only
            # per instance, by their stamps (notifications.py).
            self.cloud = cloud
            return self.apply()

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
            base = cloud_model.inventory(self.cloud, self.layout, previous=stored)
            outcome = reconcile(data, self.cloud.servers, cloud_model.locations(base),
                                plan_model.now(), known_groups=groups,
                                known_flavors=set(base["flavors"]))
            actions[:] = outcome.actions
            return cloud_model.with_foreign(base, outcome.foreign), outcome.data

        changed = self.replica.resync(operation)
        for action in actions:
            LOG.info("reconcile: %s", action.message)
        if any(action.kind is ActionKind.MOVED for action in actions):
            # NOTE: a moved instance may now break its group's rules; the
            # checker says so here and in GET /v1/resources.
            for key, found in self.replica.read(violations.show).items():
                LOG.warning("placement %s breaks its rules: %s", key, found["message"])
        return changed
