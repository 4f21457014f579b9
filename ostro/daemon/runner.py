"""One engine: the RPC server, leader election, and the background work the
leader runs (:mod:`ostro.daemon`), wired from the configuration."""

import functools
import logging
import os
import socket

from ostro import replica
from ostro.daemon.background import Background, Periodic
from ostro.daemon.leader import Leadership
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
        self.rpc = build_server(conf, Operations(self.replica), server=self.member_id)
        self.background = Background(self._workers())
        coordination = conf.coordination
        self.leadership = Leadership(coordination.backend_url, self.member_id,
                                     coordination.leader_lock, coordination.heartbeat_interval,
                                     on_elected=self.background.start,
                                     on_lost=self.background.stop)

    def _workers(self):
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
            self.reconciler = sync.Reconciler(self.replica, layout, lambda: nova.read(client()))
            workers.append(Periodic("nova-sync", group.sync_interval, self.reconciler.sync))
            if self.conf.notifications.enabled:
                workers.append(notifications.Listener(self.conf, self.reconciler))
        workers.append(Periodic("expiry", self.conf.engine.expiry_interval, self.expire))
        return workers

    def expire(self):
        """Release placements past their TTL (every write does; this is the
        write that happens even when nobody calls the API)."""
        try:
            self.replica.write(lambda engine: None)
        except Unavailable as exc:
            LOG.info("expiry skipped: %s", exc.message)

    def start(self):
        self.rpc.start()
        LOG.info("engine %s serving RPC on topic %s", self.member_id, self.conf.engine.topic)
        self.leadership.start()

    def stop(self):
        """Stop taking calls, finish those in flight, step down, close."""
        LOG.info("engine %s stopping", self.member_id)
        self.rpc.stop()
        self.rpc.wait()
        self.leadership.stop()
        self.rpc.transport.cleanup()
        self.store.close()
        LOG.info("engine %s stopped", self.member_id)
