"""Real ``valet-engine`` (and ``valet-api``) processes for tests: a config
file each, a log each, and waiting for what a log says."""

import pathlib
import sys
import time
import uuid

from tests.support import live_server

VALET_ENGINE = pathlib.Path(sys.executable).with_name("valet-engine")


def write_conf(directory, broker_url, database_url, inventory, topic, **sections):
    """A valet.conf for an engine or an API in rpc mode; ``sections``:
    {group: {option: value}} added to (or overriding) the defaults here."""
    directory.mkdir(parents=True, exist_ok=True)
    groups = {
        "DEFAULT": {"state_path": directory / "state", "transport_url": broker_url},
        "database": {"connection": database_url},
        "engine": {"mode": "rpc", "topic": topic, "solver_time_budget": 0.2, "timeout": 10},
        "inventory": {"driver": "file", "file": inventory},
        "coordination": {"backend_url": f"file://{directory.parent / 'coordination'}",
                         "heartbeat_interval": 0.2},
    }
    return live_server.write_groups(directory / "valet.conf", groups, sections)


def new_topic():
    return f"valet-engine-test-{uuid.uuid4().hex[:8]}"


class Process:
    """A started console script: ``process``, its ``log`` path; stop() it."""

    def __init__(self, directory, program, conf):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.process, self._log = live_server.start_server(
            directory, conf, arguments=[str(program), "--config-file", str(conf)])
        self.log = directory / "valet-api.log"     # start_server's file name

    def text(self):
        return self.log.read_text(errors="replace")

    def wait_for(self, needle, timeout):
        """Wait until the log holds ``needle`` (a generous ``timeout``:
        a deadline against hanging, not a performance limit)."""
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.directory.name} exited "
                                     f"{self.process.returncode}:\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not logged within {timeout} s:\n"
                                     f"{self.text()[-3000:]}")
            time.sleep(0.1)

    def stop(self):
        """SIGTERM; the exit status."""
        return live_server.stop(self.process, self._log, timeout=30)

    def stop_if_running(self):
        """SIGTERM unless it has ended already (a cleanup after a failed step)."""
        if self.process.poll() is None:
            self.stop()

    def kill(self):
        self.process.kill()
        self.process.wait()
        self._log.close()


def engine(directory, conf):
    return Process(directory, VALET_ENGINE, conf)
