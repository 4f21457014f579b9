"""One real valet-api per test module (noauth, SQLite, the in-process
engine, the 2 racks x 2 hosts of tests/api/engine_cases.py), and the
command lines against it."""

import pytest

from tests.api import engine_cases
from tests.cli.runner import Cli
from tests.support.live_server import free_port, serving, write_conf


@pytest.fixture(scope="module")
def valet_directory(tmp_path_factory):
    """The server's directory: its configuration, log and ``state/valet.sqlite``."""
    return tmp_path_factory.mktemp("valet")


@pytest.fixture(scope="module")
def valet_server(valet_directory):
    directory = valet_directory
    inventory = engine_cases.write_inventory(directory)
    port = free_port()
    conf = write_conf(directory, port, inventory, engine={"solver_time_budget": 0.2})
    with serving(directory, conf, port) as base:
        yield base


@pytest.fixture(scope="module")
def cli(valet_server, tmp_path_factory):
    return Cli(valet_server, tmp_path_factory.mktemp("home"))
