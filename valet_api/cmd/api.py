"""``valet-api [--config-file FILE ...] [--config-dir DIR] [--log-file FILE] [--debug]``:
the API on a multi-worker WSGI server.

It reads the oslo.config files (every option of DESIGN §7 the API uses),
sets up oslo.log (``[DEFAULT] log_file``, ``debug``, ...), brings
``[database] connection`` to the newest schema (the same idempotent
upgrade as ``valet-db-manage upgrade``), then serves :mod:`valet_api.app`
with gunicorn on ``[api] host:port`` with ``[api] workers`` worker processes
of ``[api] threads`` threads each.

gunicorn forks the workers before the app exists: each worker calls
:meth:`ValetServer.load` and builds its own app, store (database
connections) and engine cache; nothing with an open connection crosses a
fork. SIGTERM (or SIGINT) stops the server gracefully: gunicorn lets workers
finish their requests and exits 0.

gunicorn's own log (workers booting, exiting, timing out) and its access
lines go through oslo.log's handlers (:class:`OsloLogger`), so
``--log-file`` holds everything in one format; each access line names the
answer's ``X-OpenStack-Request-Id``.
"""

import ipaddress
import logging as std_logging
import sys

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from oslo_config import cfg
from oslo_log import log as logging

from ostro.state import migrate
from valet_api import app as valet_app
from valet_api import options

LOG = logging.getLogger(__name__)

#: gunicorn's access line, after what oslo.service's WSGI servers log, with
#: the request id the answer carries (the line is written once the
#: request's context is gone, so its prefix shows none).
ACCESS_FORMAT = ('%(h)s "%(r)s" status: %(s)s len: %(B)s time: %(M)sms '
                 'request_id: %({x-openstack-request-id}o)s')


def load_conf(argv):
    """The parsed oslo.config object: every group the API reads, and
    oslo.log's options, from ``argv``."""
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    valet_app.register_opts(conf)
    options.register_opts(conf)
    conf(list(argv), project="valet", prog="valet-api")
    return conf


class ValetServer(BaseApplication):
    """gunicorn embedded: its settings come from ``conf``, not its command line."""

    def __init__(self, conf):
        self.conf = conf
        super().__init__()

    def load_config(self):
        settings = {
            "bind": [f"{_bind_host(self.conf.api.host)}:{self.conf.api.port}"],
            "workers": self.conf.api.workers,
            # NOTE: gthread, not sync: a sync worker reading a slow client's
            # body is lost to everyone else until the client finishes (or
            # gunicorn kills it at its timeout), so two slow uploads stall
            # two workers; a gthread worker gives each connection a thread.
            "worker_class": "gthread",
            "threads": self.conf.api.threads,
            "proc_name": "valet-api",
            "logger_class": OsloLogger,
            "accesslog": "-",          # access lines on; OsloLogger hands them to oslo.log
            "access_log_format": ACCESS_FORMAT,
            "loglevel": "debug" if self.conf.debug else "info",
            "worker_exit": _worker_exit,
        }
        # NOTE: gunicorn >= 23 opens a control socket, by default under
        # ~/.gunicorn; valet-api has no use for it.
        if "control_socket_disable" in self.cfg.settings:
            settings["control_socket_disable"] = True
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        """Called in each worker after the fork: a fresh app and store."""
        return valet_app.load_app(self.conf)


class OsloLogger(glogging.Logger):
    """gunicorn's loggers (``gunicorn.error``, ``gunicorn.access``) with no
    handlers of their own: their records go up to the root logger, where
    oslo.log put its handlers (a file, syslog, journald or stdout).

    NOTE: gunicorn's SIGUSR1 (reopen the log files) still works: it reopens
    every FileHandler it finds, oslo.log's included.
    """

    def setup(self, cfg):
        self.cfg = cfg
        self._access_log_enabled = True
        self.loglevel = self.LOG_LEVELS.get(cfg.loglevel.lower(), std_logging.INFO)
        self.error_log.setLevel(self.loglevel)
        self.access_log.setLevel(std_logging.INFO)
        for log in (self.error_log, self.access_log):
            log.propagate = True


def _bind_host(host):
    return f"[{host}]" if ":" in host else host


def _worker_exit(_server, worker):
    app = getattr(worker, "wsgi", None)
    store = getattr(app, "store", None)
    if store is not None:
        store.close()


def _warn_if_open(conf):
    """A WARNING when noauth (everyone an admin) listens beyond loopback."""
    host = conf.api.host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:                     # a host name
        loopback = host == "localhost"
    if conf.api.auth_strategy == "noauth" and not loopback:
        LOG.warning("listening on %s with auth_strategy = noauth: anyone who reaches "
                    "it acts as an admin; use keystone, or [api] host = 127.0.0.1", host)


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    logging.setup(conf, "valet")
    _warn_if_open(conf)
    revision = migrate.upgrade(conf.database.connection)
    LOG.info("database at revision %s", revision)
    ValetServer(conf).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
