"""The API's side of the RPC: the operations of :class:`Operations`, called
on the engine service, with the engine's own errors."""

import inspect
import logging

import oslo_messaging

from ostro.errors import Unavailable
from ostro.operations import Operations
from ostro.rpc import VERSION, errors
from ostro.rpc.transport import get_transport

LOG = logging.getLogger(__name__)


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

    def _call(self, name, arguments):
        try:
            return self._rpc.call({}, name, **arguments)
        except errors.EngineRefusal as refusal:
            raise errors.rebuild(refusal.error) from None
        except oslo_messaging.MessagingTimeout:
            raise Unavailable(
                f"the engine did not answer within {self.timeout:g} s "
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
    setattr(Client, _name, _operation(_name))
