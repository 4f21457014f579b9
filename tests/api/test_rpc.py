"""``[engine] mode = rpc`` (ostro/rpc): the API and the engine apart, over
kombu's in-memory broker. The API cases of test_plans, test_placements and
test_hosts_resources also run in this mode (``both_modes``); here: what
only RPC has (the error transport, timeouts, the endpoint's methods)."""

import inspect

import oslo_messaging
import pytest

from ostro import errors
from ostro.operations import Operations
from ostro.rpc import errors as rpc_errors
from ostro.rpc.client import Client
from ostro.rpc.server import Endpoint
from ostro.state import migrate
from ostro.state.store import Store
from tests.api import engine_cases, rpc_cases
from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import group, plan_body, server, servers
from valet_api import engine_client

#: Requests the engine refuses, each with the status the API gives it.
REFUSED = [
    ("POST", "/v1/plans", plan_body("s9", *servers("big", 5, "large")), 409),
    ("POST", "/v1/plans", plan_body("s9", *servers("n", 5, "half"),
                                    group("apart", "diversity", "host", ["n1", "n2", "n3", "n4",
                                                                         "n5"])), 409),
    ("POST", "/v1/plans", plan_body("s9", server("b", "huge")), 400),
    ("PUT", "/v1/plans/nope", {"action": "migrate", "resources": ["orch-zz"]}, 404),
    ("GET", "/v1/plans/nope", None, 404),
    ("POST", "/v1/placements/orch-zz", {"action": "reserve", "locations": ["r1-h1"]}, 404),
    ("GET", "/v1/hosts/nope", None, 404),
]


@pytest.fixture
def local_and_rpc(tmp_path, inventory):
    """The API in both modes, each over its own database with plan s1."""
    with engine_cases.engine_api(f"sqlite:///{tmp_path}/local.sqlite", inventory) as local, \
            rpc_cases.rpc_api(f"sqlite:///{tmp_path}/rpc.sqlite", inventory) as rpc:
        for api in (local, rpc):
            call(api, "POST", "/v1/plans", plan_body("s1", server("a")), status=201)
        yield local, rpc


def test_a_refusal_is_the_same_response_as_in_local_mode(local_and_rpc):
    local, rpc = local_and_rpc
    for method, path, body, status in REFUSED:
        expected = call(local, method, path, body)
        assert expected.status_int == status, expected.text
        answered = call(rpc, method, path, body)
        assert (answered.status_int, answered.json) == (status, expected.json), path
        assert_error(answered, status)


@pytest.fixture
def client_and_local(tmp_path, inventory, empty_url):
    """An RPC client and a local engine on one database, with a server between."""
    conf = rpc_cases.rpc_conf(empty_url, inventory, rpc_cases.MEMORY, "valet-test-client")
    migrate.upgrade(empty_url)
    store = Store(empty_url)
    client = Client(conf)
    with rpc_cases.engine_server(conf):
        yield client, engine_client.local(conf, store)
    client.close()
    store.close()


def test_the_engines_error_arrives_with_its_class_and_fields(client_and_local):
    client, local = client_and_local
    client.create_plan(dict(servers("a", 3, "large")), "s1")
    raised = []
    for engine in (local, client):
        with pytest.raises(errors.NoPlacement) as caught:
            engine.create_plan(dict(servers("b", 2, "large")), "s2")
        raised.append(caught.value)
    at_home, remote = raised
    assert type(remote) is errors.NoPlacement
    assert remote.message == at_home.message and vars(remote) == vars(at_home)
    assert (remote.rule, remote.after, remote.unit) == (at_home.rule, 0, "hosts")
    with pytest.raises(errors.NotFound, match="no placement orch-zz"):
        client.release("orch-zz")


def test_arguments_bind_as_in_local_mode(client_and_local):
    client, _ = client_and_local
    plan = client.create_plan(dict(servers("a", 1)), "s1", name="first")
    assert client.get_plan(plan_id="s1") == plan and plan["name"] == "first"
    # A wrong call fails in the API process, before anything is sent.
    with pytest.raises(TypeError):
        client.get_plan("s1", "extra")


def test_no_engine_listening_is_503_naming_the_timeout(empty_url, inventory):
    with rpc_cases.rpc_api(empty_url, inventory, serve=False, timeout=0.3) as api:
        body = assert_error(call(api, "GET", "/v1/plans"), 503,
                            "did not answer within 0.3 s", "valet-engine")
        status = assert_error(call(api, "GET", "/v1/status"), 503, "engine is unavailable",
                              "did not answer")
        assert call(api, "HEAD", "/v1/status").status_int == 503
    assert body["error"]["type"] == status["error"]["type"] == "ServiceUnavailable"


def test_status_asks_the_remote_engine(empty_url, inventory):
    with rpc_cases.rpc_api(empty_url, inventory) as api:
        call(api, "POST", "/v1/plans", plan_body("s1", *servers("a", 2)), status=201)
        engine = call(api, "GET", "/v1/status", status=200).json["status"]["engine"]
    assert engine == {"mode": "rpc", "state": "ok", "plans": 1, "placements": 2, "hosts": 4}


def test_the_endpoint_offers_exactly_the_operations(client_and_local):
    endpoint = Endpoint(operations=None, topic="t")
    exposed = {name for name, value in inspect.getmembers(endpoint)
               if hasattr(value, "exposed")}
    assert exposed == set(Operations.NAMES)
    assert all(callable(getattr(Client, name)) for name in Operations.NAMES)
    client, _ = client_and_local
    for name in ("target", "_run", "_operations"):
        with pytest.raises(oslo_messaging.RemoteError, match="NoSuchMethod"):
            client._rpc.call({}, name)


def test_only_engine_error_classes_are_rebuilt():
    wired = rpc_errors.wire(errors.Duplicate("group web exists"))
    assert type(rpc_errors.rebuild(wired)) is errors.Duplicate
    # A class from any other module is never looked up: its message and type remain.
    stranger = dict(wired, module="os", **{"class": "system", "type": "Strange"})
    rebuilt = rpc_errors.rebuild(stranger)
    assert type(rebuilt) is errors.OstroError
    assert (rebuilt.kind, rebuilt.message) == ("Strange", "group web exists")
