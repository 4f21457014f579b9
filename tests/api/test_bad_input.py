"""No 5xx for bad input (issue 11 §3) on SQLite: the table of
``tests/api/bad_input_cases.py``, and the fuzz run of every route."""

from tests.api.bad_input_cases import BadInputCases
from tests.api.fuzz_cases import fuzz


class TestBadInputOnSQLite(BadInputCases):
    test_no_route_answers_5xx = fuzz(examples=1000)
