"""The pecan application of the Valet API (DESIGN §2, §4).

``setup_app(config, conf)`` builds it; ``config`` is pecan's own
configuration (what ``pecan serve etc/valet/config.py`` passes), ``conf`` the
oslo.config object (``[DEFAULT] debug``, ``[database] connection``, ...).
Under ``pecan serve`` pecan passes ``config`` alone; ``conf`` then comes from
the files :func:`config_files` names.
The app owns one :class:`~ostro.state.store.Store` for its whole life,
reachable as ``app.store`` so whoever runs the app can close it, and one
engine client (:mod:`valet_api.engine_client`), ``app.operations``.

``[api] auth_strategy`` decides who may call it (:mod:`valet_api.auth`,
:mod:`valet_api.access`, :mod:`valet_api.policy`): with ``keystone`` the
pecan app is wrapped by keystonemiddleware's auth_token.  The whole WSGI
pipeline (request ids, health check, body size limit, proxy headers) is
:mod:`valet_api.middleware`.
"""

import os

import pecan
from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import opts as policy_opts

from ostro import config as engine_config
from ostro.rpc import options as rpc_options
from ostro.state import options as database_options
from ostro.state.store import Store
from valet_api import access, engine_client, hooks, middleware, options, policy, projects
from valet_api.controllers.root import Root

#: Names the oslo.config file(s), several separated by commas.
CONFIG_FILE_VARIABLE = "VALET_CONFIG_FILE"

debug_opt = cfg.BoolOpt("debug", default=False,
                        help="Log debug messages, and put tracebacks in API error bodies.")


def register_opts(conf):
    """Register every option the API reads on ``conf``."""
    engine_config.register_opts(conf)
    rpc_options.register_opts(conf)
    database_options.register_opts(conf)
    options.register_opts(conf)
    policy_opts.set_defaults(conf)      # registers [oslo_policy], changing no default
    # NOTE: oslo.log registers [DEFAULT] debug too, with other help text; a
    # second, different registration would be refused.
    if "debug" not in conf:
        conf.register_opt(debug_opt)


def default_conf(args=(), config_files=None):
    """A new oslo.config object with the API's options and oslo.log's
    (``--log-file``, ``--debug``, ...), parsed from ``args`` and
    ``config_files`` (oslo.config's default search path when ``None``)."""
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    register_opts(conf)
    conf(list(args), project="valet", default_config_files=config_files)
    return conf


def config_files(config=None):
    """The oslo.config files to read: ``valet.config_file`` of the pecan
    ``config`` (a path or a list; relative paths are relative to the pecan
    file's directory), else ``VALET_CONFIG_FILE``, else ``None``
    (oslo.config's default search path, ``/etc/valet/valet.conf``, ...)."""
    named = _section(config, "valet").get("config_file")
    if named:
        base = os.path.dirname(getattr(config, "__file__", "") or "")
        paths = [named] if isinstance(named, str) else list(named)
        return [os.path.join(base, os.path.expanduser(path)) for path in paths]
    variable = os.environ.get(CONFIG_FILE_VARIABLE, "")
    return [path.strip() for path in variable.split(",") if path.strip()] or None


def setup_app(config=None, conf=None):
    """The WSGI application (a pecan app, behind auth_token in keystone mode,
    in :class:`valet_api.middleware.Pipeline`) over the store in
    ``[database] connection``.

    Without ``conf`` (``pecan serve``) the oslo.config files come from
    :func:`config_files`; with neither argument every option has its default.
    """
    if conf is None and config is not None:
        conf = default_conf(config_files=config_files(config))
    elif conf is None:
        conf = default_conf(config_files=[])
    else:
        register_opts(conf)
    settings = pecan_settings(config)
    store = Store(conf.database.connection)
    operations = engine_client.for_conf(conf, store)
    app = pecan.make_app(
        Root(),
        hooks=[hooks.ContextHook(conf, store, operations),
               access.PolicyHook(conf, policy.make_enforcer(conf), projects.for_conf(conf)),
               hooks.ErrorHook(conf)],
        # NOTE: group names may contain dots ("web.tier"); pecan must not read
        # a suffix as a content type and strip it.
        guess_content_type_from_ext=False,
        force_canonical=False,
        **settings)
    app.store, app.operations = store, operations
    return middleware.Pipeline(app, conf)


def pecan_settings(config):
    """The keyword arguments for pecan from the ``app`` section of ``config``
    (a pecan Config or a dict), less what :func:`setup_app` decides itself."""
    settings = _section(config, "app")
    for name in ("root", "modules", "static_root", "template_path"):
        settings.pop(name, None)
    return settings


def _section(config, name):
    """Section ``name`` of a pecan Config or dict, as a new dict ({} if absent)."""
    if config is None:
        return {}
    section = config.get(name) if isinstance(config, dict) else getattr(config, name, None)
    if section is not None and not isinstance(section, dict):
        section = section.to_dict()
    return dict(section or {})


def load_app(conf):
    """The application for a WSGI server, configured by ``conf``."""
    return setup_app(conf=conf)
