"""``[engine] mode = rpc`` over a real RabbitMQ broker: the API and an engine
RPC server thread meet only through the broker (tests/api/rpc_cases.py)."""

import pytest

from tests.api import engine_cases, rpc_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, plan_body, server, servers


@pytest.fixture
def rpc_api(broker, empty_url, inventory):
    with rpc_cases.rpc_api(empty_url, inventory, transport_url=broker.url()) as client:
        yield client


def test_a_plans_life_through_the_broker(rpc_api):
    plan = call(rpc_api, "POST", "/v1/plans", plan_body("s1", *servers("web", 2)),
                status=201).json["plan"]
    assert call(rpc_api, "GET", "/v1/plans/s1", status=200).json == {"plan": plan}
    where = plan["placements"]["orch-web1"]["location"]
    reserved = call(rpc_api, "POST", "/v1/placements/orch-web1",
                    {"action": "reserve", "locations": list(HOSTS), "resource_id": "uuid-1"},
                    status=201).json["placement"]
    assert (reserved["location"], reserved["reserved"]) == (where, True)
    call(rpc_api, "DELETE", "/v1/placements/uuid-1", status=204)
    assert_error(call(rpc_api, "GET", "/v1/placements/orch-web1"), 404, "orch-web1")
    call(rpc_api, "DELETE", "/v1/plans/s1", status=204)
    assert call(rpc_api, "GET", "/v1/plans", status=200).json == {"plans": []}


def test_a_refusal_is_the_same_409_as_in_local_mode(rpc_api, tmp_path, inventory):
    body = plan_body("s2", *servers("big", 5, "large"))
    with engine_cases.engine_api(f"sqlite:///{tmp_path}/local.sqlite", inventory) as local:
        expected = assert_error(call(local, "POST", "/v1/plans", body), 409, "big")
    assert assert_error(call(rpc_api, "POST", "/v1/plans", body), 409) == expected
    assert_error(call(rpc_api, "POST", "/v1/plans", plan_body("s3", server("a", "huge"))),
                 400, "huge")


def test_no_engine_on_the_topic_is_503(broker, empty_url, inventory):
    with rpc_cases.rpc_api(empty_url, inventory, transport_url=broker.url(), serve=False,
                           timeout=0.5) as api:
        assert_error(call(api, "GET", "/v1/plans"), 503, "did not answer within 0.5 s")
