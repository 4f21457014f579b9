"""Request ids across processes: a real ``valet-api`` in rpc mode and a real
``valet-engine`` over a real RabbitMQ; the engine's log lines of a call
name the API request's id and the caller's global id.  ``/healthcheck``
names the engine while none answers, and is 200 once one does."""

import contextlib
import re
import time
import uuid

from tests.api.test_operability import request
from tests.rabbitmq import engines
from tests.rabbitmq.test_daemon import plan_body, wait_until_served
from tests.support import live_server


def test_the_api_request_id_shows_on_the_engines_lines(broker, inventory, tmp_path):
    database = f"sqlite:///{tmp_path}/valet.sqlite"
    topic = engines.new_topic()
    port = live_server.free_port()
    base = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as cleanup:
        api_conf = engines.write_conf(tmp_path / "api", broker.url(), database, inventory, topic,
                                      api={"host": "127.0.0.1", "port": port, "workers": 1,
                                           "healthcheck_engine_timeout": 1.0})
        api = engines.Process(tmp_path / "api", live_server.VALET_API, api_conf)
        cleanup.callback(api.stop_if_running)
        live_server.wait_until_up(base, api.process, timeout=30)

        status, _, body = request(base, "GET", "/healthcheck")
        assert status == 503
        assert body.decode() == ("database: OK; engine: the engine did not answer within "
                                 f"1 s (topic {topic}); is valet-engine running?")

        conf = engines.write_conf(tmp_path / "engine", broker.url(), database, inventory, topic)
        engine = engines.engine(tmp_path / "engine", conf)
        cleanup.callback(engine.stop_if_running)
        wait_until_served(base, api.process)
        assert _healthcheck_once_served(base) == "database: OK; engine: OK"

        global_id = f"req-{uuid.uuid4()}"
        status, headers, _ = request(base, "POST", "/v1/plans", plan_body("ids-stack", "ids-1"),
                                     headers={"X-OpenStack-Request-Id": global_id,
                                              "X-Project-Id": "ids-project"})
        assert status == 201
        local_id = headers["X-OpenStack-Request-Id"]
        assert local_id != global_id

        engine.wait_for("plan created: ", timeout=30)
        created = [line for line in engine.text().splitlines()
                   if "plan created: " in line and "stack=ids-stack" in line]
        assert len(created) == 1, engine.text()[-3000:]
        assert re.search(rf"INFO ostro\.operations \[{global_id} {local_id} noauth ids-project ",
                         created[0]), created[0]
        assert engine.stop() == 0, engine.text()[-3000:]
        assert api.stop() == 0


def _healthcheck_once_served(base, timeout=30.0):
    """The health check's text once it is 200 (the engine's consumer may
    take a moment to see every call of the topic)."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = request(base, "GET", "/healthcheck")
        if status == 200 or time.monotonic() > deadline:
            return body.decode()
        time.sleep(0.5)
