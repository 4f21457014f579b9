"""A real ``valet-engine`` process with no broker: its transport_url names a
closed port on 127.0.0.1; SQLite and tooz's file:// backend under tmp_path;
short intervals so leadership and expiry show within seconds."""

import contextlib
import signal

import pytest

from tests.api.engine_cases import write_inventory
from tests.rabbitmq import engines
from tests.support import live_server

#: ``[engine] graceful_shutdown_timeout`` of these engines: the bound on a stop.
GRACEFUL = 20


def closed_port_url():
    """A rabbit URL on a 127.0.0.1 port nothing listens on (a free port, released)."""
    return f"rabbit://guest:guest@127.0.0.1:{live_server.free_port()}/"


@pytest.fixture
def database(tmp_path):
    return f"sqlite:///{tmp_path}/valet.sqlite"


@pytest.fixture
def start_engine(tmp_path, database):
    """``start_engine(sections)``: a started engine (tests.rabbitmq.engines.Process)
    and its config file; every one is stopped (by its pid) at the end."""
    inventory_file = write_inventory(tmp_path)
    started = []

    def start(sections=None, name="engine"):
        directory = tmp_path / name
        directory.mkdir()
        groups = {
            "DEFAULT": {"state_path": directory / "state", "transport_url": closed_port_url()},
            "database": {"connection": database},
            "engine": {"mode": "rpc", "topic": engines.new_topic(), "planned_ttl": 1,
                       "expiry_interval": 0.2, "broker_check_interval": 0.5,
                       "graceful_shutdown_timeout": GRACEFUL},
            "inventory": {"driver": "file", "file": inventory_file},
            "coordination": {"backend_url": f"file://{tmp_path / 'coordination'}",
                             "heartbeat_interval": 0.2},
        }
        conf = live_server.write_groups(directory / "valet.conf", groups, sections)
        process = engines.engine(tmp_path / name, conf)
        started.append(process)
        return process, conf

    yield start
    for process in started:
        if process.process.poll() is None:
            with contextlib.suppress(Exception):
                process.process.send_signal(signal.SIGKILL)
            process.process.wait()
        with contextlib.suppress(Exception):
            process._log.close()
