"""The API over a real SQLite file per test (DESIGN §11: no mocks)."""

import pytest

from tests.api import engine_cases, rpc_cases
from tests.api.api_cases import running_api
from tests.api.engine_cases import write_inventory


@pytest.fixture
def empty_url(tmp_path):
    return f"sqlite:///{tmp_path}/valet.sqlite"


@pytest.fixture
def api(empty_url):
    with running_api(empty_url) as client:
        yield client


@pytest.fixture
def debug_api(empty_url):
    with running_api(empty_url, debug=True) as client:
        yield client


@pytest.fixture
def inventory(tmp_path):
    """A small inventory file (tests/api/engine_cases.py: 2 racks x 2 hosts)."""
    return write_inventory(tmp_path)


@pytest.fixture
def engine_mode():
    """``[engine] mode`` of ``engine_api``; a module runs its tests in both
    modes with ``pytestmark = pytest.mark.parametrize("engine_mode", ...)``."""
    return "local"


@pytest.fixture
def engine_api(empty_url, inventory, engine_mode):
    """The API over an empty database, its engine reading ``inventory``: in
    the API process, or (``rpc``) in an RPC server thread over kombu's
    in-memory broker (tests/api/rpc_cases.py)."""
    serve = engine_cases.engine_api if engine_mode == "local" else rpc_cases.rpc_api
    with serve(empty_url, inventory) as client:
        yield client
