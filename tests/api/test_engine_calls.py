"""Each plan and placement route asks the engine once (in rpc mode, one
round trip): the owner check happens inside the operation, and an unknown
id costs one read."""

import pytest

from ostro.operations import Operations
from tests.api.api_cases import call
from tests.api.engine_cases import plan_body, servers
from tests.api.rpc_cases import both_modes

pytestmark = both_modes


@pytest.fixture
def calls(engine_api):
    """The names of the engine operations the API calls, in order."""
    operations = engine_api.app.operations
    seen = []
    for name in Operations.NAMES:
        method = getattr(operations, name)

        def counted(*args, _method=method, _name=name, **kwargs):
            seen.append(_name)
            return _method(*args, **kwargs)
        setattr(operations, name, counted)
    yield seen
    for name in Operations.NAMES:
        delattr(operations, name)


def test_plan_routes_ask_the_engine_once(engine_api, calls):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", *servers("a", 2)), status=201)
    assert calls == ["create_plan"]
    for method, body, status, operation in (
            ("GET", None, 200, "get_plan"),
            ("PUT", {"action": "update", "resources": dict(servers("a", 3))}, 201,
             "update_plan"),
            ("DELETE", None, 204, "delete_plan")):
        calls.clear()
        call(engine_api, method, "/v1/plans/s1", body, status=status)
        assert calls == [operation], method


def test_an_unknown_plan_is_one_call_and_404(engine_api, calls):
    call(engine_api, "DELETE", "/v1/plans/nothing-here", status=404)
    assert calls == ["delete_plan"]
