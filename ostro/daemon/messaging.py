"""oslo.messaging servers that never hold the engine up, and a watch on
the broker that says in the log when RPC is unavailable and when it is back.

oslo.messaging's ``start()`` connects to the broker and, while the broker
does not answer, retries for ever; its ``stop()`` waits for a ``start()`` in
progress.  So a server started inline would keep a service without a broker
from ever starting and from ever stopping.  :class:`Started` starts one in a
thread of its own and, at ``stop()``, stops it only if it got to start
(otherwise the late start stops it itself).
"""

import logging
import threading

import kombu
import oslo_messaging

from ostro.rpc.transport import AMQP_PORT

LOG = logging.getLogger(__name__)


class Started:
    """``server`` (an oslo.messaging RPC server or notification listener)
    started in the background; ``on_started()`` runs once it serves."""

    def __init__(self, name, server, on_started=None):
        self.name, self.server = name, server
        self.on_started = on_started
        self._lock = threading.Lock()
        self._thread = None
        self.started = self._stopping = False
        self.ready = threading.Event()      # set once it serves

    def start(self):
        # NOTE: a daemon thread: a start still retrying at exit must not
        # keep the process alive.
        self._thread = threading.Thread(target=self._start, name=f"{self.name}-start",
                                        daemon=True)
        self._thread.start()

    def _start(self):
        try:
            self.server.start()
        except Exception:  # noqa: BLE001 - logged; the engine goes on without it
            LOG.exception("%s could not start", self.name)
            return
        with self._lock:
            self.started, stopping = True, self._stopping
        if stopping:
            LOG.info("%s connected after its stop was asked: stopping it", self.name)
            self._stop_server()
            return
        self.ready.set()
        if self.on_started is not None:
            self.on_started()

    def stop(self):
        """Stop taking messages and finish those in hand; if the server is
        still connecting, leave it to stop itself when (if ever) it does."""
        with self._lock:
            self._stopping, started = True, self.started
        if started:
            self._stop_server()
        elif self._thread is not None:
            LOG.info("%s never connected to the broker; not waiting for it", self.name)

    def _stop_server(self):
        self.server.stop()
        self.server.wait()
        self.server.transport.cleanup()


class BrokerWatch:
    """``check()`` (a periodic job) connects to the broker of ``[DEFAULT]
    transport_url`` and logs when it stops answering and when it answers
    again.

    A connection of its own rather than a call to the engine: with the
    broker down, oslo.messaging's calls wait for it (its reply queue is
    declared with endless retries), while one AMQP connection attempt fails
    in ``timeout`` seconds.  Only the ``rabbit`` driver is checked.
    """

    name = "broker-watch"

    def __init__(self, conf, timeout):
        self.timeout = timeout
        url = oslo_messaging.TransportURL.parse(conf, conf.transport_url)
        self.driver = url.transport
        self.hosts = list(url.hosts)
        self.virtual_host = url.virtual_host or "/"
        self.ssl = _ssl(conf) if self.driver == "rabbit" else False
        self.available = None       # unknown until the first check

    @property
    def checked(self):
        """Whether ``check()`` can tell (a rabbit transport)."""
        return self.driver == "rabbit" and bool(self.hosts)

    def check(self):
        problem = self._problem()
        if problem is None and self.available is not True:
            LOG.info("RPC available%s: the broker %s answers",
                     "" if self.available is None else " again", self._where())
        elif problem is not None and self.available is not False:
            LOG.warning("RPC unavailable: %s; leader election, expiry and sync go on "
                        "without it, and RPC resumes when the broker is back", problem)
        self.available = problem is None

    def _problem(self):
        """None when a broker host answers, else why none does."""
        reasons = []
        for host in self.hosts:
            connection = kombu.Connection(
                hostname=host.hostname, port=host.port or AMQP_PORT, userid=host.username,
                password=host.password, virtual_host=self.virtual_host,
                transport="pyamqp", ssl=self.ssl, connect_timeout=self.timeout)
            try:
                # NOTE: one attempt (kombu's connect() retries once, 2 s later).
                connection.ensure_connection(max_retries=0)
                return None
            except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
                reasons.append(f"{host.hostname}:{host.port or AMQP_PORT}: {exc}")
            finally:
                connection.release()
        return "the broker is unreachable (" + "; ".join(reasons) + ")"

    def _where(self):
        return ", ".join(f"{host.hostname}:{host.port or AMQP_PORT}" for host in self.hosts)


def _ssl(conf):
    """kombu's ``ssl`` argument from ``[oslo_messaging_rabbit]``."""
    group = conf.oslo_messaging_rabbit
    if not group.ssl:
        return False
    options = {"ca_certs": group.ssl_ca_file or None, "certfile": group.ssl_cert_file or None,
               "keyfile": group.ssl_key_file or None}
    return {key: value for key, value in options.items() if value} or True
