"""One real RabbitMQ broker for the session (tests/rabbitmq/server.py).

A missing broker is a failure, not a skip: CI installs it (``.ci/run``).
"""

import pytest

from tests.api.engine_cases import write_inventory
from tests.rabbitmq.server import RabbitServer


@pytest.fixture(scope="session")
def broker():
    server = RabbitServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def inventory(tmp_path):
    return write_inventory(tmp_path)


@pytest.fixture
def empty_url(tmp_path):
    return f"sqlite:///{tmp_path}/valet.sqlite"
