"""``valet-engine`` as a service, for real: the console script in a
subprocess with no reachable broker, real signals.

Without a broker it still becomes the leader and expires placements, and
says RPC is unavailable; SIGTERM and SIGINT stop it with status 0 within
``[engine] graceful_shutdown_timeout``; SIGHUP applies a changed ``debug``
in place (same process, same leadership).  The waits are deadlines against
a hang, not performance limits.
"""

import contextlib
import signal
import socket
import threading
import time

from tests.daemon.conftest import GRACEFUL
from tests.rabbitmq.test_daemon import local_operations, plan_body

UNAVAILABLE = "RPC unavailable: the broker is unreachable"


def stop_with(process, signum):
    """Send ``signum``; the exit status (the process must end within
    the graceful shutdown timeout)."""
    process.process.send_signal(signum)
    status = process.process.wait(timeout=GRACEFUL)
    process._log.close()
    return status


def test_without_a_broker_it_leads_expires_and_stops_on_sigterm(start_engine, database,
                                                                  tmp_path):
    engine, _ = start_engine()
    engine.wait_for("is the leader", timeout=60)
    engine.wait_for(UNAVAILABLE, timeout=60)
    engine.wait_for("background work started: expiry", timeout=60)

    # A plan made by an API worker in local mode, on the engine's database:
    # past planned_ttl (1 s) the leader's expiry releases it, broker or not.
    operations = local_operations(database, tmp_path / "inventory.yaml")
    operations.create_plan(plan_body("p1", "x1", "x2")["resources"], "p1")
    engine.wait_for("released placements past their TTL: orch-x1, orch-x2", timeout=60)
    assert operations.list_placements() == []

    assert stop_with(engine, signal.SIGTERM) == 0, engine.text()[-3000:]
    text = engine.text()
    assert "SIGTERM: stopping gracefully" in text
    assert "is no longer the leader" in text and "stopped" in text.splitlines()[-1]
    assert "serving RPC" not in text         # it never reached the broker


def test_sigint_stops_it_gracefully_too(start_engine):
    engine, _ = start_engine()
    engine.wait_for("is the leader", timeout=60)
    engine.wait_for(UNAVAILABLE, timeout=60)
    assert stop_with(engine, signal.SIGINT) == 0, engine.text()[-3000:]
    assert "SIGINT: stopping gracefully" in engine.text()
    assert "is no longer the leader" in engine.text()


def test_sighup_applies_debug_in_place(start_engine):
    engine, conf = start_engine()
    engine.wait_for("is the leader", timeout=60)
    engine.wait_for(UNAVAILABLE, timeout=60)
    assert " DEBUG " not in engine.text()

    text = conf.read_text()
    conf.write_text(text.replace("[DEFAULT]\n", "[DEFAULT]\ndebug = true\n", 1))
    engine.process.send_signal(signal.SIGHUP)
    engine.wait_for("configuration reloaded (debug = True)", timeout=60)
    # NOTE: the periodic jobs log at DEBUG each run: lines follow at once.
    engine.wait_for(" DEBUG ", timeout=60)
    lines = engine.text().splitlines()
    reloaded = next(i for i, line in enumerate(lines) if "configuration reloaded" in line)
    assert all(" DEBUG " not in line for line in lines[:reloaded])
    assert engine.process.poll() is None      # the same process...
    after = engine.text()
    assert after.count("is the leader") == 1  # ...and the same leadership
    assert "is no longer the leader" not in after
    assert after.count("starting the RPC server") == 1

    assert stop_with(engine, signal.SIGTERM) == 0, engine.text()[-3000:]


class SilentNova:
    """A TCP server on 127.0.0.1 that takes connections and never answers:
    a Nova whose every request hangs.  ``connected`` is set at the first."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.sock.accept()
                self.connections.append(connection)
                self.connected.set()

    def close(self):
        for connection in self.connections:
            connection.close()
        self.sock.close()


def test_a_stop_longer_than_the_timeout_exits_1_at_the_bound(start_engine):
    nova = SilentNova()
    try:
        # The nova driver's sync (the leader's, broker or not) hangs on a
        # Nova that never answers; a stop must wait for it, up to the bound.
        engine, _ = start_engine({
            "engine": {"graceful_shutdown_timeout": 2},
            "inventory": {"driver": "nova", "auth_type": "none",
                          "endpoint_override": f"http://127.0.0.1:{nova.port}/v2.1"}})
        engine.wait_for("background work started: nova-sync, expiry, "
                        "notification-listener", timeout=60)
        assert nova.connected.wait(60), engine.text()[-3000:]
        engine.wait_for(UNAVAILABLE, timeout=60)
        assert stop_with(engine, signal.SIGTERM) == 1, engine.text()[-3000:]
        assert "graceful shutdown took longer than 2 s: exiting now" in engine.text()
    finally:
        nova.close()


def catches(pid, signum):
    """Whether process ``pid`` has a handler for ``signum`` (/proc's SigCgt mask)."""
    with open(f"/proc/{pid}/status") as status:
        mask = next(line for line in status if line.startswith("SigCgt:")).split()[1]
    return bool(int(mask, 16) >> (signum - 1) & 1)


def test_a_sigterm_while_it_starts_is_a_clean_stop(start_engine):
    """systemd may stop the engine while it still imports and upgrades the
    schema: that is exit 0 too, not death by signal."""
    engine, _ = start_engine()
    pid = engine.process.pid
    deadline = time.monotonic() + 60
    while not catches(pid, signal.SIGTERM):
        assert engine.process.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    # NOTE: the handler is there from the first import, seconds before the
    # engine serves; this SIGTERM lands while it starts.
    assert "is the leader" not in engine.text()
    assert stop_with(engine, signal.SIGTERM) == 0, engine.text()[-3000:]
    assert "is the leader" not in engine.text()
