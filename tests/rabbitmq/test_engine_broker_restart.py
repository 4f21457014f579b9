"""The broker dies under load and comes back: a real ``valet-engine``
serving calls from :class:`ostro.rpc.client.Client` threads in this process
over a real RabbitMQ; the broker's Erlang VM is SIGKILLed (by its pid) and
started again on the same port.  The engine says RPC is unavailable, then
available again, and answers calls again as the same process, never
restarted.  The waits are deadlines against a hang, not performance limits.
"""

import os
import signal
import threading
import time

import pytest

from ostro.rpc.client import Client
from tests.api.rpc_cases import rpc_conf
from tests.rabbitmq import engines, server


class Load:
    """``threads`` callers of ``list_placements`` until stopped; each call's
    (monotonic end time, error or None)."""

    def __init__(self, client, threads=4):
        self.client, self.results = client, []
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(threads)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self):
        while not self._stopping.is_set():
            try:
                self.client.list_placements()
                error = None
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                error = exc
            self.results.append((time.monotonic(), error))
            if error is not None:
                time.sleep(0.1)

    def successes_after(self, moment):
        return sum(1 for when, error in list(self.results) if when > moment and error is None)

    def wait_for_successes(self, moment, count, timeout):
        deadline = time.monotonic() + timeout
        while self.successes_after(moment) < count:
            assert time.monotonic() < deadline, (
                f"fewer than {count} calls answered since the broker restart: "
                f"{[repr(error) for _, error in self.results[-5:]]}")
            time.sleep(0.2)


def kill_broker(broker):
    """SIGKILL the broker's Erlang VM (its pid file's pid): a crash, no goodbye."""
    pid = int((broker.root / "rabbit.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    broker.process.wait(60)       # the rabbitmq-server script ends with its VM


@pytest.fixture
def own_broker():
    """A broker of this test's own (the session's is not killed)."""
    broker = server.RabbitServer()
    try:
        yield broker.start()
    finally:
        broker.stop()


def test_rpc_resumes_after_the_broker_restarts(own_broker, inventory, tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path}/valet.sqlite"
    topic = engines.new_topic()
    conf = engines.write_conf(tmp_path / "engine", own_broker.url(), database, inventory,
                              topic, engine={"broker_check_interval": 0.5})
    engine = engines.engine(tmp_path / "engine", conf)
    client = None
    try:
        engine.wait_for("serving RPC on topic", timeout=60)
        engine.wait_for("RPC available: the broker", timeout=60)
        pid = engine.process.pid
        client = Client(rpc_conf(database, inventory, own_broker.url(), topic, timeout=5.0))
        with Load(client) as load:
            load.wait_for_successes(0.0, 20, timeout=60)

            kill_broker(own_broker)
            engine.wait_for("RPC unavailable: the broker is unreachable", timeout=60)
            # NOTE: the same port, so the URL the engine has stays right;
            # RabbitServer.start() takes a free port, so give it this one.
            port = own_broker.port
            monkeypatch.setattr(server, "free_port", lambda: port)
            own_broker.start()
            restarted = time.monotonic()
            engine.wait_for("RPC available again", timeout=120)
            load.wait_for_successes(restarted, 20, timeout=120)

        assert engine.process.poll() is None and engine.process.pid == pid
        text = engine.text()
        assert text.count("starting the RPC server") == 1      # never restarted
        assert text.count("is the leader") == 1                # nor stepped down
        assert engine.stop() == 0, engine.text()[-3000:]
    finally:
        if client is not None:
            client.close()
        if engine.process.poll() is None:
            engine.kill()
