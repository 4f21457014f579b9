"""No 5xx for bad input (issue 11 §3) on a real PostgreSQL server, where a
256-character name or a NUL byte was the database's 503: the table of
``tests/api/bad_input_cases.py`` and the fuzz run of every route."""

from tests.api.bad_input_cases import BadInputCases
from tests.api.fuzz_cases import fuzz


class TestBadInputOnPostgres(BadInputCases):
    # NOTE: fewer examples than on SQLite: each plan commits over TCP.
    test_no_route_answers_5xx = fuzz(examples=500)
