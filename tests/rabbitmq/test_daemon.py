"""``valet-engine`` for real: engine processes serving RPC to a real
``valet-api`` in rpc mode over a real RabbitMQ, and leader election among
engines (SIGKILL of the leader: another takes over the background work)."""

import contextlib
import time

from tests.api.engine_cases import HOSTS
from tests.rabbitmq import engines
from tests.support import live_server


def server(name):
    return {"type": "OS::Nova::Server", "name": name, "properties": {"flavor": "small"}}


def plan_body(stack_id, *names):
    return {"plan_name": stack_id, "stack_id": stack_id,
            "resources": {f"orch-{name}": server(name) for name in names}}


def wait_until_served(base, process, timeout=60.0):
    """The API answers /v1/plans once an engine consumes the topic (a
    call sent before that is lost and times out: retry)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = live_server.call(base, "GET", "/v1/plans")
        if status == 200:
            return body
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no engine answered: {status} {body}")
        time.sleep(0.5)


def test_engines_serve_the_api_over_rabbitmq_and_stop_on_sigterm(broker, inventory, tmp_path):
    database = f"sqlite:///{tmp_path}/valet.sqlite"
    topic = engines.new_topic()
    port = live_server.free_port()
    base = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as cleanup:
        started = []
        for name in ("engine-a", "engine-b"):
            conf = engines.write_conf(tmp_path / name, broker.url(), database, inventory, topic)
            started.append(engines.engine(tmp_path / name, conf))
            cleanup.callback(started[-1].stop_if_running)
        for engine in started:
            engine.wait_for("serving RPC on topic", timeout=60)
        api_conf = engines.write_conf(tmp_path / "api", broker.url(), database, inventory, topic,
                                      api={"host": "127.0.0.1", "port": port, "workers": 2})
        api = engines.Process(tmp_path / "api", live_server.VALET_API, api_conf)
        cleanup.callback(api.stop_if_running)
        live_server.wait_until_up(base, api.process, timeout=30)
        assert wait_until_served(base, api.process) == {"plans": []}

        # Several plans: the topic's calls spread over both engines, whose
        # commits meet in the store (each sees the other's placements).
        for number in range(4):
            status, body = live_server.call(base, "POST", "/v1/plans",
                                            plan_body(f"s{number}", f"a{number}", f"b{number}"))
            assert status == 201, body
        status, body = live_server.call(base, "GET", "/v1/placements")
        assert status == 200 and len(body["placements"]) == 8
        status, body = live_server.call(base, "GET", "/v1/hosts")
        assert status == 200
        used = sum(host["used"]["vcpus"] for host in body["hosts"])
        assert used == 8          # every small server counted once, none lost

        status, body = live_server.call(
            base, "POST", "/v1/placements/orch-a0",
            {"action": "reserve", "locations": list(HOSTS), "resource_id": "nova-a0"})
        assert status == 201 and body["placement"]["reserved"] is True
        for number in range(4):
            status, _ = live_server.call(base, "DELETE", f"/v1/plans/s{number}")
            assert status == 204
        assert live_server.call(base, "GET", "/v1/placements") == (200, {"placements": []})

        for engine in started:
            assert engine.stop() == 0, engine.text()[-3000:]
            assert "stopped" in engine.text()
        assert api.stop() == 0


EXPIRED = "released placements past their TTL: "


def released(*logs):
    """orch id -> how many times an engine's expiry released it."""
    counts = {}
    for text in logs:
        for line in text.splitlines():
            if EXPIRED in line:
                for orch_id in line.split(EXPIRED, 1)[1].split(", "):
                    counts[orch_id.strip()] = counts.get(orch_id.strip(), 0) + 1
    return counts


def test_when_the_leader_is_killed_another_engine_takes_over_expiry(broker, inventory,
                                                                     tmp_path):
    database = f"sqlite:///{tmp_path}/valet.sqlite"
    topic = engines.new_topic()
    # NOTE: short TTL, expiry interval and heartbeats so the test is quick;
    # the waits below are generous deadlines against a hang, not timings.
    fast = {"engine": {"planned_ttl": 1, "expiry_interval": 0.2}}
    confs = {name: engines.write_conf(tmp_path / name, broker.url(), database, inventory,
                                      topic, **fast)
             for name in ("engine-a", "engine-b")}
    with contextlib.ExitStack() as cleanup:
        first = engines.engine(tmp_path / "engine-a", confs["engine-a"])
        cleanup.callback(first.stop_if_running)
        first.wait_for("is the leader", timeout=60)
        second = engines.engine(tmp_path / "engine-b", confs["engine-b"])
        cleanup.callback(second.stop_if_running)
        second.wait_for("serving RPC on topic", timeout=60)
        time.sleep(1.0)     # several heartbeats: the second must stay a follower
        assert "is the leader" not in second.text()

        operations = local_operations(database, inventory)
        operations.create_plan(plan_body("p1", "x1", "x2")["resources"], "p1")
        first.wait_for("orch-x2", timeout=60)      # past planned_ttl, released by the leader

        first.kill()        # SIGKILL: no goodbye, its lock dies with it
        operations.create_plan(plan_body("p2", "y1", "y2")["resources"], "p2")
        second.wait_for("is the leader", timeout=60)
        second.wait_for("orch-y2", timeout=60)

        counts = released(first.text(), second.text())
        assert counts == dict.fromkeys(["orch-x1", "orch-x2", "orch-y1", "orch-y2"], 1)
        assert "orch-y1" in second.text() and "orch-x1" not in second.text()
        assert operations.list_placements() == []
        assert second.stop() == 0, second.text()[-3000:]


def local_operations(database, inventory):
    """The engine's operations in this process (as an API worker in local
    mode has them), over the engines' store."""
    from ostro import replica as replicas
    from ostro.operations import Operations
    from ostro.state.store import Store
    from tests.api.engine_cases import engine_conf

    conf = engine_conf(database, inventory)
    return Operations(replicas.replica_for(conf, Store(database)))
