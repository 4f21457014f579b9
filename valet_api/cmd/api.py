"""``valet-api [--config-file FILE ...]``: the API on a multi-worker WSGI server.

It reads the oslo.config files (every option of DESIGN §7 the API uses),
brings ``[database] connection`` to the newest schema (the same idempotent
upgrade as ``valet-db-manage upgrade``), then serves :mod:`valet_api.app`
with gunicorn on ``[api] host:port`` with ``[api] workers`` worker processes.

gunicorn forks the workers before the app exists: each worker calls
:meth:`ValetServer.load` and builds its own app, store (database
connections) and engine cache; nothing with an open connection crosses a
fork. SIGTERM (or SIGINT) stops the server gracefully: gunicorn lets workers
finish their requests and exits 0.
"""

import sys

from gunicorn.app.base import BaseApplication
from oslo_config import cfg

from ostro.state import migrate
from valet_api import app as valet_app
from valet_api import options


def load_conf(argv):
    """The parsed oslo.config object: every group the API reads, from ``argv``."""
    conf = cfg.ConfigOpts()
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
            "worker_class": "sync",
            "proc_name": "valet-api",
            "accesslog": "-",
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


def _bind_host(host):
    return f"[{host}]" if ":" in host else host


def _worker_exit(_server, worker):
    app = getattr(worker, "wsgi", None)
    store = getattr(app, "store", None)
    if store is not None:
        store.close()


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    revision = migrate.upgrade(conf.database.connection)
    print(f"valet-api: database at revision {revision}", file=sys.stderr)
    ValetServer(conf).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
