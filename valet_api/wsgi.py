"""WSGI entry point: ``application`` for uwsgi, mod_wsgi, gunicorn, ...

The configuration files come from ``VALET_CONFIG_FILE`` (several separated
by commas), else oslo.config's defaults (``/etc/valet/valet.conf``, ...).
The schema must exist first (``valet-db-manage upgrade``); ``[api] host``,
``port`` and ``workers`` are the WSGI server's business here, and
``[api] auth_strategy = keystone`` is refused (not implemented yet).
"""

from valet_api import app as valet_app
from valet_api import options


def load_conf():
    conf = valet_app.default_conf(config_files=valet_app.config_files())
    options.register_opts(conf)
    options.check(conf)
    return conf


application = valet_app.load_app(load_conf())
