"""ostro.daemon.messaging.Started: an oslo.messaging server whose start()
blocks (as it does while the broker is down) holds neither the engine's
start nor its stop, and one that connects after its stop was asked stops
itself.  The server here is a stand-in with oslo.messaging's start / stop /
wait / transport.cleanup; the real one is in tests/daemon/test_engine_service.py
and tests/rabbitmq."""

import threading

from ostro.daemon.messaging import Started


class BlockingServer:
    """start() returns when ``connect`` is set; records what was called."""

    def __init__(self):
        self.connect = threading.Event()
        self.calls = []
        self.transport = self
        self.done = threading.Event()

    def start(self):
        self.calls.append("start")
        self.connect.wait(30)

    def stop(self):
        self.calls.append("stop")

    def wait(self):
        self.calls.append("wait")

    def cleanup(self):
        self.calls.append("cleanup")
        self.done.set()


def test_a_server_that_connects_serves_and_stops_in_order():
    server = BlockingServer()
    served = threading.Event()
    started = Started("test server", server, on_started=served.set)
    started.start()                       # returns though start() blocks
    assert not served.is_set()
    server.connect.set()
    assert served.wait(30) and started.ready.is_set()
    started.stop()
    assert server.calls == ["start", "stop", "wait", "cleanup"]


def test_a_stop_before_it_connects_does_not_wait_and_the_late_start_stops_itself():
    server = BlockingServer()
    served = threading.Event()
    started = Started("test server", server, on_started=served.set)
    started.start()
    started.stop()                        # returns at once: start() still blocks
    assert server.calls == ["start"]
    server.connect.set()                  # the broker answers, too late
    assert server.done.wait(30)
    assert server.calls == ["start", "stop", "wait", "cleanup"]
    assert not served.is_set() and not started.ready.is_set()
