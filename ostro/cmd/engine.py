"""``valet-engine [--config-file FILE ...]``: the engine service.

It serves the engine's operations over oslo.messaging RPC (``[engine]
topic``) to API workers in ``[engine] mode = rpc``, and takes part in the
election of the engine that does background work (expiry; with ``[inventory]
driver = nova`` also the Nova sync and notifications).  Run as many as you
like against one database and broker.  It runs under oslo.service
(:mod:`ostro.daemon.service`): SIGTERM or SIGINT: calls in flight and the
background run in progress finish, then it exits 0 (within ``[engine]
graceful_shutdown_timeout``); SIGHUP reloads the mutable options.
"""

# NOTE: first of all, so that a stop asked for while the engine imports and
# starts is a clean exit (ostro/daemon/signals.py).
from ostro.daemon import signals as engine_signals

SIGNALS = engine_signals.catch()

# NOTE: then, before anything imports oslo.messaging: importing it loads
# oslo.service, whose default backend is eventlet.  The threading backend
# needs no monkey-patching and is what the engine's threads are.
from oslo_service import backend  # noqa: E402

try:
    backend.init_backend(backend.BackendType.THREADING)
except ValueError as exc:
    # NOTE: oslo.service says only "Unknown backend" when the backend's
    # own dependency (cotyledon) is missing.
    raise ImportError("valet-engine needs oslo.service's threading backend: "
                      "install 'oslo.service[threading]' (it adds cotyledon)") from exc

import sys  # noqa: E402

from oslo_config import cfg  # noqa: E402
from oslo_log import log as logging  # noqa: E402

from ostro import config as engine_config  # noqa: E402
from ostro.daemon import options as service_options  # noqa: E402
from ostro.rpc import transport  # noqa: E402
from ostro.state import migrate  # noqa: E402
from ostro.state import options as database_options  # noqa: E402

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
    from ostro.daemon import service

    conf = load_conf(sys.argv[1:] if argv is None else argv)
    # NOTE: setup() registers oslo.log's mutate hook: SIGHUP applies debug.
    logging.setup(conf, "valet")
    # NOTE: as valet-api does; idempotent, but run one upgrade at a time
    # when several start together on a new database (doc/store.md).
    revision = migrate.upgrade(conf.database.connection)
    LOG.info("database at revision %s", revision)
    from ostro.daemon.runner import Daemon

    daemon = Daemon(conf)
    if engine_signals.stop_requested(SIGNALS):
        LOG.info("stopped before it started serving")
        daemon.store.close()
        return 0
    return service.serve(conf, daemon, SIGNALS)


if __name__ == "__main__":
    sys.exit(main())
