"""One real valet-api for the Heat tests of this pytest process (stopped at
the end, on failure too); each test uses stacks of its own."""

# NOTE: heat.tests.common must be heat's first import (RECIPES §4).
from heat.tests import common  # noqa: F401  isort: skip

import os

import pytest

from tests.heat import harness
from tests.live_valet import running_valet


@pytest.fixture(scope="session", autouse=True)
def valet_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("valet")
    # NOTE: heat's fake novaclient writes caches under ~/.novaclient.
    os.environ["HOME"] = str(tmp_path_factory.mktemp("home"))
    with running_valet(directory) as base:
        harness.VALET_URL = base
        yield base
