"""The engine's side of the RPC: an endpoint over :class:`Operations` and
the oslo.messaging server that hosts it (in ``valet-engine``).

Each call runs with the caller's request context as the thread's current
oslo.context (:func:`current_context`), so oslo.log's context formatter
shows the API request's ids (and the global id of the Nova or Heat request
behind it) on every line the engine logs during the call.
"""

import contextlib
import logging
import socket

import oslo_messaging
from oslo_context import context as oslo_context
from sqlalchemy.exc import SQLAlchemyError

from ostro.errors import OstroError, Unavailable
from ostro.operations import Operations
from ostro.rpc import VERSION, errors
from ostro.rpc.transport import get_transport

LOG = logging.getLogger(__name__)


class Endpoint:
    """Offers exactly :attr:`Operations.NAMES` as RPC methods (exposed, for
    :class:`oslo_messaging.ExplicitRPCAccessPolicy`).

    Each is ``name(context, **arguments)`` and answers what the operation
    answers; an engine error leaves as an :class:`~ostro.rpc.errors.EngineRefusal`.
    """

    def __init__(self, operations, topic):
        self._operations = operations
        self.target = oslo_messaging.Target(topic=topic, version=VERSION)

    def _run(self, name, arguments):
        try:
            LOG.debug("RPC %s", name)
            return getattr(self._operations, name)(**arguments)
        except OstroError as exc:
            raise errors.EngineRefusal(errors.wire(exc)) from exc
        except SQLAlchemyError as exc:
            # NOTE: as the API says in local mode: a 503 that does not show the
            # driver's message (it may hold the database URL); the log has it.
            LOG.error("database error in %s: %s", name, exc)
            unusable = Unavailable("the database is unreachable or unusable")
            raise errors.EngineRefusal(errors.wire(unusable)) from exc


def _operation(name):
    # NOTE: a refusal is an answer, not a server fault: expected_exceptions
    # keeps oslo.messaging from logging each one as an error with a traceback.
    @oslo_messaging.expose
    @oslo_messaging.expected_exceptions(errors.EngineRefusal)
    def operation(self, context, **arguments):
        with current_context(context):
            return self._run(name, arguments)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = getattr(Operations, name).__doc__
    return operation


for _name in Operations.NAMES:
    setattr(Endpoint, _name, _operation(_name))


@contextlib.contextmanager
def current_context(data):
    """The caller's context (the dict :func:`ostro.rpc.client.wire_context`
    sent; an older API's ``{}`` gets a fresh request id) as this thread's
    current one until the block ends."""
    oslo_context.RequestContext.from_dict(data or {}).update_store()
    try:
        yield
    finally:
        # NOTE: oslo.context offers no call to unset the current context;
        # the executor's thread must not keep this call's ids for the next.
        vars(oslo_context._request_store).pop("context", None)


def build_server(conf, operations, server=None):
    """An RPC server on ``[engine] topic`` for
    ``operations``; ``start()`` it, and ``stop()``, ``wait()`` and
    ``transport.cleanup()`` it at the end."""
    transport = get_transport(conf)
    target = oslo_messaging.Target(topic=conf.engine.topic,
                                   server=server or socket.gethostname())
    endpoint = Endpoint(operations, conf.engine.topic)
    # NOTE: no executor argument (deprecated): oslo.messaging picks threads
    # unless eventlet has patched the process, which Valet never does.
    # NOTE: only methods marked exposed are callable: not ``target`` or
    # anything else an endpoint object happens to have.
    return oslo_messaging.get_rpc_server(
        transport, target, [endpoint], access_policy=oslo_messaging.ExplicitRPCAccessPolicy)
