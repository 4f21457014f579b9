"""The oslo.messaging transport of the engine's RPC, from ``[DEFAULT]
transport_url`` on any ConfigOpts (not only the global one)."""

import importlib
import socket
import time

import oslo_messaging
from oslo_messaging import opts as messaging_opts

from ostro.rpc import errors, options

#: Options oslo.messaging 18.3 registers on the global cfg.CONF only, yet
#: reads from the conf it is given: (module, attribute, group).
_GLOBAL_ONLY_OPTS = (
    ("oslo_messaging._tracing.client", "oslo_messaging_tracing", "oslo_messaging_tracing"),
    ("oslo_messaging._metrics.client", "oslo_messaging_metrics", "oslo_messaging_metrics"),
)


def register_opts(conf):
    """Register ours and oslo.messaging's options (``transport_url``, ...)
    on ``conf``, so they can be read and overridden before any transport."""
    options.register_opts(conf)
    # NOTE: list_opts gives copies; oslo.messaging registering its originals
    # later is no conflict, since equal options register once.
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    # NOTE: without these a private ConfigOpts fails every call with
    # NoSuchOptError (RECIPES §5); other releases may lack the modules.
    for module, attribute, group in _GLOBAL_ONLY_OPTS:
        try:
            opts = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            continue
        conf.register_opts(opts, group=group)


def get_transport(conf):
    """The RPC transport of ``[DEFAULT] transport_url`` on ``conf``."""
    register_opts(conf)
    # NOTE: only ostro.rpc.errors' exceptions are rebuilt from what the
    # engine sends; every engine error travels inside one.
    return oslo_messaging.get_rpc_transport(conf, allowed_remote_exmods=[errors.__name__])


#: The port of an AMQP broker whose URL names none.
AMQP_PORT = 5672


def brokers(conf):
    """``(host, port)`` of every broker of ``[DEFAULT] transport_url`` when
    the driver is ``rabbit`` (the only one whose calls wait for a broker
    without end), else ``[]``."""
    register_opts(conf)
    url = oslo_messaging.TransportURL.parse(conf, conf.transport_url)
    if url.transport != "rabbit":
        return []
    return [(host.hostname or "localhost", host.port or AMQP_PORT) for host in url.hosts] \
        or [("localhost", AMQP_PORT)]


def reachable(addresses, timeout):
    """Whether one of ``addresses`` accepts a TCP connection, trying them
    all within ``timeout`` seconds.  A refused or unroutable port is known
    at once (or at the timeout), where oslo.messaging would retry for ever."""
    deadline = time.monotonic() + timeout
    for host, port in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            socket.create_connection((host, port), timeout=left).close()
            return True
        except OSError:
            continue
    return False
