"""WSGI entry point: ``application`` for uwsgi, mod_wsgi, gunicorn, ...

The configuration files come from ``VALET_CONFIG_FILE`` (several separated
by commas), else oslo.config's defaults (``/etc/valet/valet.conf``, ...).
The schema must exist first (``valet-db-manage upgrade``); ``[api] host``,
``port`` and ``workers`` are the WSGI server's business here, while
``[api] auth_strategy`` applies as under ``valet-api``.
"""

from valet_api import app as valet_app


def load_conf():
    return valet_app.default_conf(config_files=valet_app.config_files())


application = valet_app.load_app(load_conf())
