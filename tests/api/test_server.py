"""``valet-api`` for real: the console script, gunicorn with two workers,
a SQLite file and the sample inventory, over HTTP (DESIGN §4, §7)."""

import pathlib
import sys

from tests.support import live_server
from tests.support.live_server import call, free_port, start_server, stop, wait_until_up

ROOT = pathlib.Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "etc" / "valet" / "inventory.yaml"
VALET_API = pathlib.Path(sys.executable).with_name("valet-api")


def write_conf(tmp_path, port):
    """The sample inventory, two workers, otherwise live_server's defaults."""
    return live_server.write_conf(tmp_path, port, INVENTORY, api={"workers": 2})


def server(flavor, name, group):
    return {"type": "OS::Nova::Server", "name": name,
            "properties": {"flavor": flavor,
                           "metadata": {"valet": {"groups": [group]}}}}


def test_valet_api_serves_with_two_workers_and_stops_on_sigterm(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log = start_server(tmp_path, write_conf(tmp_path, port))
    home = tmp_path / "home"       # start_server's empty HOME
    try:
        status, body = wait_until_up(base, process, timeout=20.0)
        assert status == 200
        assert body["versions"][0]["id"] == "v1.0"

        status, group = call(base, "POST", "/v1/groups",
                             {"name": "web-ha", "type": "diversity", "level": "host"})
        assert status == 201
        assert group["name"] == "web-ha" and group["type"] == "diversity"

        resources = {"web-1-id": server("m1.small", "web-1", "web-ha"),
                     "web-2-id": server("m1.small", "web-2", "web-ha")}
        status, body = call(base, "POST", "/v1/plans",
                            {"plan_name": "web", "stack_id": "stack-1",
                             "resources": resources})
        assert status == 201
        plan = body["plan"]
        assert plan["stack_id"] == "stack-1"
        hosts = {orch_id: p["location"] for orch_id, p in plan["placements"].items()}
        assert set(hosts) == {"web-1-id", "web-2-id"}
        assert hosts["web-1-id"] != hosts["web-2-id"]          # diversity(host)

        # Several requests, so both workers (each with its own store and
        # engine cache) are likely to answer some.
        for _ in range(6):
            status, body = call(base, "GET", f"/v1/placements?plan_id={plan['id']}")
            assert status == 200
            assert {p["id"]: p["location"] for p in body["placements"]} == hosts
            assert not any(p["reserved"] for p in body["placements"])

        status, body = call(base, "POST", "/v1/placements/web-1-id",
                            {"action": "reserve", "locations": [hosts["web-1-id"]],
                             "resource_id": "nova-1"})
        assert status == 201
        placement = body["placement"]
        assert placement["reserved"] is True
        assert placement["location"] == hosts["web-1-id"]
        assert placement["resource_id"] == "nova-1"

        status, body = call(base, "GET", "/v1/placements?reserved=true")
        assert status == 200
        assert [p["id"] for p in body["placements"]] == ["web-1-id"]

        status, body = call(base, "DELETE", f"/v1/plans/{plan['id']}")
        assert status == 204
        status, body = call(base, "GET", "/v1/placements")
        assert (status, body) == (200, {"placements": []})
    finally:
        returncode = stop(process, log)
    assert returncode == 0, (tmp_path / "valet-api.log").read_text()
    assert not (home / ".gunicorn").exists()

