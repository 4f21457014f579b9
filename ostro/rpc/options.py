"""Options of the engine's RPC in ``[engine]`` (oslo.messaging's own,
``[DEFAULT] transport_url`` and ``[oslo_messaging_*]``, are registered with
the transport: :mod:`ostro.rpc.transport`)."""

from oslo_config import cfg

rpc_opts = [
    cfg.FloatOpt("timeout", default=60.0, min=0.0,
                 help="Seconds the API waits for the engine to answer one call "
                      "(mode = rpc); then the request is a 503."),
    cfg.StrOpt("topic", default="valet-engine",
               help="oslo.messaging topic the engine service listens on and the "
                    "API sends to (mode = rpc)."),
]


def register_opts(conf):
    # NOTE: [engine] mode and the search's options live in ostro.config; these
    # join the same group but are only read by the RPC client and server.
    # This module does not import oslo.messaging: local mode never loads it.
    conf.register_opts(rpc_opts, group="engine")


def list_opts():
    return [("engine", rpc_opts)]
