"""The API's side of the RPC: the operations of :class:`Operations`, called
on the engine service, with the engine's own errors.

Every call carries the request's oslo.context (:func:`wire_context`): the
thread's current ``RequestContext``, which the API's pipeline sets for each
request, so the engine's log lines of that call show the same request ids.

Every call ends within ``[engine] timeout`` (issue 11 §2), broker down or
not.  oslo.messaging's rabbit driver retries a lost broker for ever: the
first call's reply queue is declared with endless retries, and a send
retries as often as ``retry`` says (None: for ever).  So the client first
checks that a broker accepts a TCP connection (:func:`ostro.rpc.transport.reachable`,
refused at once when it is down), then sends with a few retries (a pooled
connection broken by a broker restart reconnects) and waits for the answer
for what is left of the timeout.  What a 503 means for a retry:

* not sent (no broker, or the send gave up): the engine never saw the
  request; nothing was done;
* sent, no answer in time: the engine may have carried it out (or may yet,
  while the message is queued: it expires at the timeout); a retry by the
  same ``stack_id`` gets that plan, not a second one.
"""

import inspect
import logging
import time

import oslo_messaging
from oslo_context import context as oslo_context

from ostro.errors import Unavailable
from ostro.operations import Operations
from ostro.rpc import VERSION, errors, transport

LOG = logging.getLogger(__name__)

#: Retries of a send whose connection broke (oslo.messaging's ``retry``;
#: None would be for ever).  Two cover a pooled connection a broker restart
#: broke; with the broker gone they give up within a few seconds.
SEND_RETRIES = 2

#: Seconds the broker check may take, at most (less when the timeout is less).
BROKER_CHECK_TIMEOUT = 1.0

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
        self.transport = transport.get_transport(conf)
        self.brokers = transport.brokers(conf)
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
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        if self.brokers and not transport.reachable(
                self.brokers, min(BROKER_CHECK_TIMEOUT, timeout)):
            LOG.error("cannot send %s to the engine: no broker of transport_url accepts "
                      "a connection", name)
            raise Unavailable(NOT_SENT)
        left = max(timeout - (time.monotonic() - started), 0.001)
        rpc = self._rpc.prepare(timeout=left, retry=SEND_RETRIES)
        try:
            return rpc.call(wire_context(), name, **arguments)
        except errors.EngineRefusal as refusal:
            raise errors.rebuild(refusal.error) from None
        except oslo_messaging.MessagingTimeout:
            message = (f"the engine did not answer within {timeout:g} s (topic "
                       f"{self.topic}); is valet-engine running?")
            if name in CHANGES:
                message += MAY_HAVE_BEEN_DONE
            raise Unavailable(message) from None
        except oslo_messaging.MessageDeliveryFailure as exc:
            # NOTE: the driver's message may name the broker's URL; the log has it.
            LOG.error("cannot send %s to the engine: %s", name, exc)
            raise Unavailable(NOT_SENT) from None


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


#: The operations that change something: their timeout may hide a commit.
CHANGES = frozenset({"create_plan", "update_plan", "migrate_plan", "delete_plan",
                     "reserve", "replan", "release"})

#: What the 503 of a change that timed out adds.
MAY_HAVE_BEEN_DONE = (" The request may have been carried out: retry it (a plan with "
                      "the same stack_id is not planned twice) or look it up")

#: The 503 of a call that never reached the engine.
NOT_SENT = ("the engine's message broker is unreachable; the request was not sent "
            "(nothing was done): retry it later")


for _name in Operations.NAMES:
    if _name not in vars(Client):       # ping has its own (a timeout of its own)
        setattr(Client, _name, _operation(_name))
