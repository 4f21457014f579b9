"""WSGI entry point: ``application`` for uwsgi, mod_wsgi, gunicorn, ...

The configuration files come from ``VALET_CONFIG_FILE`` (several separated
by commas), else oslo.config's defaults (``/etc/valet/valet.conf``, ...).
The schema must exist first (``valet-db-manage upgrade``); ``[api] host``,
``port`` and ``workers`` are the WSGI server's business here, while
``[api] auth_strategy`` applies as under ``valet-api``.  oslo.log is set up
from the same files (``[DEFAULT] log_file``, ``debug``, ``use_syslog``, ...;
without a log file it writes to stdout, which uwsgi and mod_wsgi put in
their own logs).
"""

from oslo_log import log as logging

from valet_api import app as valet_app


def load_conf():
    return valet_app.default_conf(config_files=valet_app.config_files())


def load_application():
    """The app, once oslo.log is set up as its configuration says."""
    conf = load_conf()
    logging.setup(conf, "valet")
    return valet_app.load_app(conf)


application = load_application()
