"""Options and the transport of the engine's RPC (``[engine]`` and
oslo.messaging's own ``[DEFAULT] transport_url``, ``[oslo_messaging_*]``)."""

import importlib

import oslo_messaging
from oslo_config import cfg
from oslo_messaging import opts as messaging_opts

from ostro.rpc import errors

rpc_opts = [
    cfg.FloatOpt("timeout", default=60.0, min=0.0,
                 help="Seconds the API waits for the engine to answer one call "
                      "(mode = rpc); then the request is a 503."),
    cfg.StrOpt("topic", default="valet-engine",
               help="oslo.messaging topic the engine service listens on and the "
                    "API sends to (mode = rpc)."),
]


def register_opts(conf):
    """Register ours and oslo.messaging's options (``transport_url``, ...)
    on ``conf``, so they can be read and overridden before any transport."""
    # NOTE: [engine] mode and the search's options live in ostro.config; these
    # join the same group but are only read by the RPC client and server.
    conf.register_opts(rpc_opts, group="engine")
    # NOTE: list_opts gives copies; oslo.messaging registering its originals
    # later is no conflict, since equal options register once.
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    _register_global_only_opts(conf)


def list_opts():
    return [("engine", rpc_opts)]


def transport(conf):
    """The RPC transport of ``[DEFAULT] transport_url`` on ``conf`` (any
    ConfigOpts, not only the global one)."""
    register_opts(conf)
    # NOTE: only this module's exceptions are rebuilt from what the engine
    # sends; every engine error travels inside one (ostro.rpc.errors).
    return oslo_messaging.get_rpc_transport(conf, allowed_remote_exmods=[errors.__name__])


#: Options oslo.messaging 18.3 registers on the global cfg.CONF only, yet
#: reads from the conf it is given: (module, attribute, group).
_GLOBAL_ONLY_OPTS = (
    ("oslo_messaging._tracing.client", "oslo_messaging_tracing", "oslo_messaging_tracing"),
    ("oslo_messaging._metrics.client", "oslo_messaging_metrics", "oslo_messaging_metrics"),
)


def _register_global_only_opts(conf):
    # NOTE: without them a private ConfigOpts fails every call with
    # NoSuchOptError (RECIPES §5); other releases may lack these modules.
    for module, attribute, group in _GLOBAL_ONLY_OPTS:
        try:
            opts = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            continue
        conf.register_opts(opts, group=group)
