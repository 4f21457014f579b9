"""The store on a real PostgreSQL server (started by conftest.py): the same
cases as on SQLite, with longer races."""

from tests.unit.store_cases import StoreCases


class TestPostgresStore(StoreCases):
    WRITERS, SAVES, RACERS = 4, 20, 8
