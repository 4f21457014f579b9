"""A throwaway RabbitMQ broker for one test session (RECIPES §5).

``rabbitmq-server`` runs as a plain process (not the distribution's service)
with its own node name, free ports on 127.0.0.1 (AMQP, Erlang distribution
and its own epmd) and every file in a temporary directory.  Stopping it
stops the node, kills that epmd and removes the directory.
"""

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

from tests.support.live_server import free_port

BINARIES = pathlib.Path("/usr/lib/rabbitmq/bin")
MISSING = ("rabbitmq-server not found in {where}: install it, e.g. "
           "`DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server` "
           "(.ci/run does this)")


class BrokerError(Exception):
    """The broker could not be set up; the message says why."""


class RabbitServer:
    def __init__(self, binaries=BINARIES):
        if not (binaries / "rabbitmq-server").exists():
            raise BrokerError(MISSING.format(where=binaries))
        self.binaries = binaries
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="valet-rabbit-"))
        self.port, self.process, self.timings = None, None, {}
        self.epmd_port = free_port()
        self.environment = {
            **os.environ,
            # NOTE: the Erlang cookie is written under HOME; keep it in here.
            "HOME": str(self.root),
            "RABBITMQ_NODENAME": f"valet-test-{os.getpid()}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.root / "rabbit.pid"),
        }

    def url(self):
        return f"rabbit://guest:guest@127.0.0.1:{self.port}/"

    def start(self, ready_within=120):
        self.port = free_port()
        self.environment["RABBITMQ_NODE_PORT"] = str(self.port)
        (self.root / "enabled_plugins").write_text("[].\n")
        # NOTE: guest may log in from 127.0.0.1 only by default; say so plainly.
        (self.root / "rabbitmq.conf").write_text(
            f"loopback_users = none\nlisteners.tcp.default = 127.0.0.1:{self.port}\n")
        started = time.monotonic()
        with open(self.root / "server.out", "wb") as out:
            self.process = subprocess.Popen(
                [str(self.binaries / "rabbitmq-server")], env=self.environment,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        while not self._ctl("rabbitmq-diagnostics", "-q", "check_port_connectivity"):
            if self.process.poll() is not None or time.monotonic() - started > ready_within:
                raise BrokerError(f"rabbitmq-server did not start:\n{self._tail()}")
            time.sleep(0.5)
        self.timings["start"] = time.monotonic() - started
        return self

    def stop(self):
        """Stop the node and its epmd (whatever happened before), remove the files."""
        try:
            if self.process is not None and self.process.poll() is None:
                started = time.monotonic()
                self._ctl("rabbitmqctl", "-q", "stop")
                try:
                    self.process.wait(30)
                except subprocess.TimeoutExpired:
                    # NOTE: only the session this fixture started is killed.
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(30)
                self.timings["stop"] = time.monotonic() - started
        finally:
            subprocess.run(["epmd", "-port", str(self.epmd_port), "-kill"],
                           env=self.environment, capture_output=True, check=False, timeout=30)
            shutil.rmtree(self.root, ignore_errors=True)

    def _ctl(self, program, *arguments):
        done = subprocess.run([str(self.binaries / program), *arguments], env=self.environment,
                              capture_output=True, check=False, timeout=60)
        return done.returncode == 0

    def _tail(self):
        out = self.root / "server.out"
        return out.read_text(errors="replace")[-2000:] if out.exists() else ""
