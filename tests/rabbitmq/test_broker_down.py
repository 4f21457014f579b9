"""The broker dies (issue 11 §2): a real ``valet-api`` in rpc mode (gunicorn,
two workers, SQLite) in front of a real ``valet-engine`` over a real
RabbitMQ whose Erlang VM is SIGKILLed by its pid.  A plan request then
waits at most ``[engine] timeout`` and gets a 503 saying it was not sent
(nothing was done), while ``GET /`` answers at once.  Before, the call
waited for the broker for the whole outage (oslo.messaging retries for
ever) until gunicorn killed the worker at 30 s.

And with the broker up but no engine, the 503 after the timeout says the
request may have been carried out; the same ``stack_id`` again gets one
plan, once an engine answers.
"""

import time

import pytest

from tests.rabbitmq import engines
from tests.rabbitmq import test_engine_broker_restart as broker_restart
from tests.support import live_server
from tests.support.live_server import call, free_port

#: [engine] timeout of the API under test, in seconds.
TIMEOUT = 3.0


#: A broker of each test's own (the session's is not killed).
own_broker = broker_restart.own_broker


def plan(stack_id):
    return {"plan_name": stack_id, "stack_id": stack_id,
            "resources": {f"{stack_id}-web": {"type": "OS::Nova::Server", "name": "web",
                                              "properties": {"flavor": "small"}}}}


def timed(base, method, path, body=None):
    started = time.monotonic()
    status, answer = call(base, method, path, body)
    return status, answer, time.monotonic() - started


class Deployment:
    """valet-api (2 workers, rpc mode) and valet-engine on one topic."""

    def __init__(self, directory, broker_url, inventory):
        database = f"sqlite:///{directory}/valet.sqlite"
        self.topic, self.port = engines.new_topic(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.engine_conf = engines.write_conf(directory / "engine", broker_url, database,
                                              inventory, self.topic)
        self.api_conf = engines.write_conf(
            directory / "api", broker_url, database, inventory, self.topic,
            engine={"timeout": TIMEOUT},
            api={"host": "127.0.0.1", "port": self.port, "workers": 2,
                 "auth_strategy": "noauth"})
        self.directory, self.processes = directory, []

    def start_engine(self, name="engine"):
        engine = engines.engine(self.directory / name, self.engine_conf)
        self.processes.append(engine)
        engine.wait_for("serving RPC on topic", timeout=90)
        return engine

    def start_api(self):
        api = engines.Process(self.directory / "api", live_server.VALET_API, self.api_conf)
        self.processes.append(api)
        live_server.wait_until_up(self.base, api.process, timeout=60)
        return api

    def close(self):
        for process in self.processes:
            if process.process.poll() is None:
                process.kill()


@pytest.fixture
def deployment(tmp_path, inventory):
    def make(broker):
        made = Deployment(tmp_path, broker.url(), inventory)
        deployments.append(made)
        return made
    deployments = []
    yield make
    for made in deployments:
        made.close()


def test_a_plan_gets_503_within_the_timeout_when_the_broker_dies(own_broker, deployment):
    setup = deployment(own_broker)
    setup.start_engine()
    setup.start_api()
    for index in range(4):      # both workers have called the engine (their reply queues)
        status, body = call(setup.base, "POST", "/v1/plans", plan(f"before-{index}"))
        assert status == 201, body

    broker_restart.kill_broker(own_broker)
    for index in range(3):
        status, body, seconds = timed(setup.base, "POST", "/v1/plans", plan(f"down-{index}"))
        assert status == 503, body
        assert seconds < TIMEOUT + 1, f"answered after {seconds:.1f} s"
        assert "was not sent (nothing was done)" in body["error"]["message"]
        status, _, seconds = timed(setup.base, "GET", "/")
        assert status == 200 and seconds < 1.0


def test_without_an_engine_the_503_says_the_request_may_have_been_done(own_broker,
                                                                        deployment):
    setup = deployment(own_broker)
    setup.start_api()
    status, body, seconds = timed(setup.base, "POST", "/v1/plans", plan("later"))
    assert status == 503, body
    assert seconds < TIMEOUT + 1, f"answered after {seconds:.1f} s"
    assert "may have been carried out" in body["error"]["message"]

    setup.start_engine()
    first = call(setup.base, "POST", "/v1/plans", plan("later"))
    again = call(setup.base, "POST", "/v1/plans", plan("later"))
    assert first[0] == again[0] == 201
    assert first[1]["plan"]["id"] == again[1]["plan"]["id"]
    status, body = call(setup.base, "GET", "/v1/plans")
    assert [p["stack_id"] for p in body["plans"]] == ["later"]
