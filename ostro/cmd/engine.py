"""``valet-engine [--config-file FILE ...]``: the engine service.

It serves the engine's operations over oslo.messaging RPC (``[engine]
topic``) to API workers in ``[engine] mode = rpc``, and takes part in the
election of the engine that does background work (expiry; with ``[inventory]
driver = nova`` also the Nova sync and notifications).  Run as many as you
like against one database and broker.  SIGTERM or SIGINT: calls in flight
and the background run in progress finish, then it exits 0.
"""

import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from ostro import config as engine_config
from ostro.daemon import options as service_options
from ostro.rpc import transport
from ostro.state import migrate
from ostro.state import options as database_options

LOG = logging.getLogger(__name__)


def load_conf(argv):
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    engine_config.register_opts(conf)
    transport.register_opts(conf)
    database_options.register_opts(conf)
    service_options.register_opts(conf)
    conf(list(argv), project="valet", prog="valet-engine")
    return conf


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    logging.setup(conf, "valet")
    # NOTE: as valet-api does; idempotent, but run one upgrade at a time
    # when several start together on a new database (doc/store.md).
    revision = migrate.upgrade(conf.database.connection)
    LOG.info("database at revision %s", revision)
    from ostro.daemon.runner import Daemon

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    service = Daemon(conf)
    service.start()
    try:
        # NOTE: a timed wait so the main thread sees the signal promptly.
        while not stopping.wait(0.5):
            pass
    finally:
        service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
