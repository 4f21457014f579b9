"""Leader election among engines with a tooz lock and heartbeats.

The leader is whoever holds the lock ``[coordination] leader_lock``.  Every
engine tries to take it (never blocking) each ``heartbeat_interval``; the
leader heartbeats instead, which keeps its lock alive on backends with
leases.  When the leader dies its lock goes with it (a file lock with the
process, a database lock with its connection, an etcd or redis lock when its
lease runs out) and the next attempt of another engine wins, so takeover
takes at most a heartbeat interval plus the backend's lease.

A lock rather than tooz's ``watch_elected_as_leader``: group leadership is
not implemented by every driver (etcd3gw has none), a lock is.
"""

import logging

from tooz import coordination

from ostro.daemon.background import Job, Periodic

LOG = logging.getLogger(__name__)


class Leadership:
    """Runs ``on_elected()`` when this engine becomes the leader and
    ``on_lost()`` when it stops being one (or stops)."""

    def __init__(self, backend_url, member_id, lock_name, interval, on_elected, on_lost):
        self.backend_url, self.member_id = backend_url, member_id
        self.lock_name, self.interval = lock_name, interval
        self.on_elected, self.on_lost = on_elected, on_lost
        self.is_leader = False
        self._coordinator = self._lock = None
        # NOTE: one heartbeat at a time in a thread of its own: elections
        # go on whatever the broker or a background job is doing.
        self._heartbeat = Periodic("leader-election",
                                   [Job("leader-election", interval, self._tick)])

    def start(self):
        self._heartbeat.start()

    def stop(self):
        """Step down (finishing the background work), release the lock, stop."""
        self._heartbeat.stop()
        self._step_down()
        self._disconnect()

    def _tick(self):
        try:
            self._beat()
        except Exception:  # noqa: BLE001 - any backend failure: retry from scratch
            LOG.exception("coordination backend failed; stepping down and retrying")
            self._step_down()
            self._disconnect()

    def _beat(self):
        if self._coordinator is None:
            self._coordinator = coordination.get_coordinator(
                self.backend_url, self.member_id.encode())
            self._coordinator.start(start_heart=False)
            self._lock = self._coordinator.get_lock(self.lock_name.encode())
        if self.is_leader:
            self._coordinator.heartbeat()
            still = getattr(self._lock, "heartbeat", None)
            if still is not None and still() is False:
                LOG.warning("lost the leader lock %s", self.lock_name)
                self._step_down()
        elif self._lock.acquire(blocking=False):
            self.is_leader = True
            LOG.info("engine %s is the leader", self.member_id)
            self.on_elected()

    def _step_down(self):
        if not self.is_leader:
            return
        self.is_leader = False
        LOG.info("engine %s is no longer the leader", self.member_id)
        try:
            self.on_lost()
        finally:
            try:
                self._lock.release()
            except Exception:  # noqa: BLE001 - the backend may be gone; so is the lock
                LOG.warning("could not release the leader lock", exc_info=True)

    def _disconnect(self):
        if self._coordinator is not None:
            try:
                self._coordinator.stop()
            except Exception:  # noqa: BLE001 - stopping a broken connection may fail
                LOG.warning("could not stop the coordinator", exc_info=True)
        self._coordinator = self._lock = None
