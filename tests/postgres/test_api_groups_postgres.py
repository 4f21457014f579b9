"""Named groups through the API on a real PostgreSQL server (started by
conftest.py): the same cases as on SQLite."""

from tests.api.api_cases import GroupCases


class TestPostgresApiGroups(GroupCases):
    pass
