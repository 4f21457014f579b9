"""The pecan application of the Valet API (DESIGN §2, §4).

``setup_app(config, conf)`` builds it; ``config`` is pecan's own
configuration (what ``pecan serve etc/valet/config.py`` passes), ``conf`` the
oslo.config object (``[DEFAULT] debug``, ``[database] connection``, ...).
The app owns one :class:`~ostro.state.store.Store` for its whole life,
reachable as ``app.store`` so whoever runs the app can close it, and one
engine client (:mod:`valet_api.engine_client`), ``app.engine``.
"""

import pecan
from oslo_config import cfg

from ostro import config as engine_config
from ostro.rpc import options as rpc_options
from ostro.state import options as database_options
from ostro.state.store import Store
from valet_api import engine_client, hooks
from valet_api.controllers.root import Root

debug_opt = cfg.BoolOpt("debug", default=False,
                        help="Log debug messages, and put tracebacks in API error bodies.")


def register_opts(conf):
    """Register every option the API reads on ``conf``."""
    engine_config.register_opts(conf)
    rpc_options.register_opts(conf)
    database_options.register_opts(conf)
    # NOTE: oslo.log registers [DEFAULT] debug too, with other help text; a
    # second, different registration would be refused.
    if "debug" not in conf:
        conf.register_opt(debug_opt)


def default_conf(args=(), config_files=None):
    """A new oslo.config object with the API's options, parsed from ``args``
    and ``config_files`` (oslo.config's default search path when ``None``)."""
    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf(list(args), project="valet", default_config_files=config_files)
    return conf


def setup_app(config=None, conf=None):
    """The WSGI application (a pecan app) over the store in ``[database] connection``."""
    if conf is None:
        conf = default_conf(config_files=[])
    else:
        register_opts(conf)
    settings = pecan_settings(config)
    store = Store(conf.database.connection)
    engine = engine_client.for_conf(conf, store)
    app = pecan.make_app(
        Root(),
        hooks=[hooks.ContextHook(conf, store, engine), hooks.ErrorHook(conf)],
        # NOTE: group names may contain dots ("web.tier"); pecan must not read
        # a suffix as a content type and strip it.
        guess_content_type_from_ext=False,
        force_canonical=False,
        **settings)
    app.store, app.engine = store, engine
    return app


def pecan_settings(config):
    """The keyword arguments for pecan from the ``app`` section of ``config``
    (a pecan Config or a dict), less what :func:`setup_app` decides itself."""
    if config is None:
        return {}
    section = config.get("app") if isinstance(config, dict) else getattr(config, "app", None)
    settings = dict(section or {})
    for name in ("root", "modules", "static_root", "template_path"):
        settings.pop(name, None)
    return settings


def load_app(conf):
    """The application for a WSGI server, configured by ``conf``."""
    return setup_app(conf=conf)
