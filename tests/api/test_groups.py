"""Named groups through the API on SQLite files."""

from tests.api.api_cases import GroupCases


class TestSqliteGroups(GroupCases):
    pass
