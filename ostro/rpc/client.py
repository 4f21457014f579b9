"""The API's side of the RPC: the operations of :class:`Operations`, called
on the engine service, with the engine's own errors.

Every call carries the request's oslo.context (:func:`wire_context`): the
thread's current ``RequestContext``, which the API's pipeline sets for each
request, so the engine's log lines of that call show the same request ids.
"""

import inspect
import logging

import oslo_messaging
from oslo_context import context as oslo_context

from ostro.errors import Unavailable
from ostro.operations import Operations
from ostro.rpc import VERSION, errors
from ostro.rpc.transport import get_transport

LOG = logging.getLogger(__name__)

#: What of a RequestContext travels (no token, no roles: the API has
#: already decided; the engine only logs these).
CONTEXT_FIELDS = ("request_id", "global_request_id", "user", "project_id",
                  "user_domain", "project_domain")


def wire_context():
    """The current request's context as a dict for oslo.messaging (a fresh
    request id when there is none, so the call's engine lines still share one)."""
    current = oslo_context.get_current() or oslo_context.RequestContext(overwrite=False)
    data = current.to_dict()
    return {field: data.get(field) for field in CONTEXT_FIELDS}


class Client:
    """Every operation of :class:`Operations`, by RPC on ``[engine] topic``.

    Each call waits at most ``[engine] timeout`` seconds; a refusal raises
    the engine's error, no answer raises :class:`Unavailable` (a 503).
    """

    def __init__(self, conf):
        self.transport = get_transport(conf)
        self.topic, self.timeout = conf.engine.topic, conf.engine.timeout
        target = oslo_messaging.Target(topic=self.topic, version=VERSION)
        self._rpc = oslo_messaging.get_rpc_client(self.transport, target, timeout=self.timeout)

    def close(self):
        """Release the transport's connections."""
        self.transport.cleanup()

    def ping(self, timeout=None):
        """The engine's answer to :meth:`Operations.ping`, waiting at most
        ``timeout`` seconds (``[engine] timeout`` when None)."""
        return self._call("ping", {}, timeout)

    def _call(self, name, arguments, timeout=None):
        rpc = self._rpc if timeout is None else self._rpc.prepare(timeout=timeout)
        try:
            return rpc.call(wire_context(), name, **arguments)
        except errors.EngineRefusal as refusal:
            raise errors.rebuild(refusal.error) from None
        except oslo_messaging.MessagingTimeout:
            raise Unavailable(
                f"the engine did not answer within {timeout or self.timeout:g} s "
                f"(topic {self.topic}); is valet-engine running?") from None
        except oslo_messaging.MessageDeliveryFailure as exc:
            # NOTE: the driver's message may name the broker's URL; the log has it.
            LOG.error("cannot send %s to the engine: %s", name, exc)
            raise Unavailable("the engine's message broker is unreachable") from None


def _operation(name):
    signature = inspect.signature(getattr(Operations, name))

    def operation(self, *args, **kwargs):
        # NOTE: bound against the local signature so a wrong call fails here,
        # as in local mode, and only named arguments travel.
        arguments = signature.bind(self, *args, **kwargs).arguments
        del arguments["self"]
        return self._call(name, dict(arguments))

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = getattr(Operations, name).__doc__
    return operation


for _name in Operations.NAMES:
    if _name not in vars(Client):       # ping has its own (a timeout of its own)
        setattr(Client, _name, _operation(_name))
