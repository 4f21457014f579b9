"""The API over a real SQLite file per test (DESIGN §11: no mocks)."""

import pytest

from tests.api.api_cases import running_api


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
