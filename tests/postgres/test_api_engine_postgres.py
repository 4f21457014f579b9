"""Plans, placements, hosts, resources and the engine cache through the API
on a real PostgreSQL server (started by conftest.py): the SQLite cases of
tests/api, collected again here (those marked for both engine modes run
in both)."""

from tests.api.test_engine_client import *  # noqa: F403
from tests.api.test_hosts_resources import *  # noqa: F403
from tests.api.test_in_use_and_ownership import *  # noqa: F403
from tests.api.test_placements import *  # noqa: F403
from tests.api.test_plans import *  # noqa: F403
