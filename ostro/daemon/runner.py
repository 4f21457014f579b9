"""One engine: the RPC server, leader election, and the background work the
leader runs (:mod:`ostro.daemon`), wired from the configuration.

Nothing here waits for the broker: the RPC server starts in the background
(:class:`~ostro.daemon.messaging.Started`) and a :class:`BrokerWatch` says
in the log when RPC is unavailable, so leader election, expiry and the sync
go on without a broker, and the engine stops whatever the broker's state.
"""

import functools
import logging
import os
import socket

from ostro import replica
from ostro.daemon.background import Background, Job, Periodic
from ostro.daemon.leader import Leadership
from ostro.daemon.messaging import BrokerWatch, Started
from ostro.errors import Unavailable
from ostro.operations import Operations
from ostro.state.store import Store

LOG = logging.getLogger(__name__)


class Daemon:
    """``start()`` serves; ``stop()`` finishes in-flight work and stops."""

    def __init__(self, conf):
        from ostro.rpc.server import build_server  # NOTE: loads oslo.messaging

        self.conf = conf
        self.member_id = f"{socket.gethostname()}-{os.getpid()}"
        self.store = Store(conf.database.connection)
        self.replica = replica.replica_for(conf, store=self.store)
        topic = conf.engine.topic
        self.rpc = Started(
            "RPC server", build_server(conf, Operations(self.replica), server=self.member_id),
            on_started=lambda: LOG.info("engine %s serving RPC on topic %s",
                                        self.member_id, topic))
        self.broker = BrokerWatch(conf, timeout=min(5.0, conf.engine.broker_check_interval))
        self.watch = Periodic("broker-watch", [
            Job("broker-watch", conf.engine.broker_check_interval, self.broker.check)])
        self.background = Background(self._workers())
        coordination = conf.coordination
        self.leadership = Leadership(coordination.backend_url, self.member_id,
                                     coordination.leader_lock, coordination.heartbeat_interval,
                                     on_elected=self.background.start,
                                     on_lost=self.background.stop)

    def _workers(self):
        jobs = []
        workers = []
        if self.conf.inventory.driver == "nova":
            from ostro.daemon import notifications, sync
            from ostro.inventory import nova
            from ostro.inventory.cloud import Layout
            from ostro.inventory.racks import Naming

            group = self.conf.inventory
            layout = Layout(Naming.from_conf(self.conf), group.datacenter_name,
                            group.default_cluster, group.place_unracked_hosts)
            # NOTE: one client (one keystoneauth1 session, which re-authenticates
            # when its token expires) for every sync, made on the first one.
            client = functools.cache(lambda: nova.client(self.conf))
            self.reconciler = sync.Reconciler(self.replica, layout, lambda: nova.read(client()),
                                              fetch_storage=self._storage_reader())
            jobs.append(Job("nova-sync", group.sync_interval, self.reconciler.sync))
            if self.conf.notifications.enabled:
                workers.append(notifications.Listener(self.conf, self.reconciler))
        jobs.append(Job("expiry", self.conf.engine.expiry_interval, self.expire))
        # NOTE: the periodic jobs first, so they run while a listener waits
        # for the broker (it starts in the background anyway).
        return [Periodic(", ".join(job.name for job in jobs), jobs), *workers]

    def _storage_reader(self):
        """``fetch_storage`` of the sync: Cinder's pools (``[inventory]
        storage = cinder``), or None."""
        if self.conf.inventory.storage != "cinder":
            return None
        from ostro.inventory import cinder

        client = functools.cache(lambda: cinder.client(self.conf))
        return lambda: cinder.read(client())

    def expire(self):
        """Release placements past their TTL (every write does; this is the
        write that happens even when nobody calls the API)."""
        try:
            self.replica.write(lambda engine: None)
        except Unavailable as exc:
            LOG.info("expiry skipped: %s", exc.message)

    def start(self):
        LOG.info("engine %s starting the RPC server on topic %s (in the background: "
                 "calls are served once the broker answers)", self.member_id,
                 self.conf.engine.topic)
        self.rpc.start()
        if self.broker.checked:
            self.watch.start()
        self.leadership.start()

    def stop(self):
        """Stop taking calls, finish those in flight, step down, close."""
        LOG.info("engine %s stopping", self.member_id)
        self.rpc.stop()
        self.watch.stop()
        self.leadership.stop()
        self.store.close()
        LOG.info("engine %s stopped", self.member_id)
