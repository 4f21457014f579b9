"""``valet placement ...``, ``valet host ...``, ``valet status`` and
``valet violation list`` against a real valet-api; the violation is made
real by a second valet-api on the same database whose data centre has a
shrunken host (as after an operator's change)."""

import copy

import pytest
import yaml

from tests.api import engine_cases
from tests.support.live_server import call, free_port, serving, write_conf


@pytest.fixture(scope="module")
def plan(cli):
    """One stored plan of two servers (over HTTP): its placements by name."""
    body = engine_cases.plan_body("stack-dc", *engine_cases.servers("x", 2))
    status, answer = call(cli.base, "POST", "/v1/plans", body)
    assert status == 201, answer
    return answer["plan"]


def placement_of(cli, orch_id):
    return call(cli.base, "GET", f"/v1/placements/{orch_id}")[1]["placement"]


def test_placements_are_listed_shown_reserved_and_replanned(cli, plan):
    listed = cli.json("placement", "list", "--plan", plan["id"])
    assert {entry["id"]: entry["location"] for entry in listed} == {
        orch_id: placed["location"] for orch_id, placed in plan["placements"].items()}
    by_stack = cli.json("placement", "list", "--plan", "stack-dc", front="openstack")
    assert by_stack == listed
    # --property matches the placements' metadata, which holds no such key.
    assert cli.json("placement", "list", "--property", "tier=web") == []
    shown = cli.json("placement", "show", "orch-x1", front="openstack")
    assert shown == placement_of(cli, "orch-x1")

    where = plan["placements"]["orch-x1"]["location"]
    elsewhere = next(host for host in engine_cases.HOSTS if host != where)
    reserved = cli.json("placement", "reserve", "orch-x1", "--location", where,
                        "--location", elsewhere, "--resource-id", "uuid-x1")
    assert (reserved["location"], reserved["reserved"], reserved["resource_id"]) \
        == (where, True, "uuid-x1")
    assert placement_of(cli, "orch-x1")["reserved"] is True
    only = cli.run("placement", "list", "--reserved", "-f", "value", "-c", "id",
                   front="openstack")
    assert only.table() == [["orch-x1"]]

    target = next(host for host in engine_cases.HOSTS
                  if host != plan["placements"]["orch-x2"]["location"])
    replanned = cli.json("placement", "replan", "orch-x2", "--host", target)
    assert (replanned["location"], replanned["reserved"]) == (target, False)
    assert placement_of(cli, "orch-x2")["location"] == target
    on_target = cli.run("placement", "list", "--planned", "--host", target, "-f", "value",
                        "-c", "id", front="openstack")
    assert on_target.table() == [["orch-x2"]]


def test_placement_refusals_say_valets_reason(cli, plan):
    stderr = cli.refused("placement", "reserve", "no-such", "--location", "r1-h1")
    assert "(HTTP 404 NotFound)" in stderr and "no-such" in stderr
    usage = cli.run("placement", "replan", "orch-x2")
    assert usage.returncode == 2 and "--location" in usage.stderr


def test_hosts_show_what_is_used(cli, plan):
    hosts = cli.json("host", "list", front="openstack")
    truth = {host["name"]: host for host in call(cli.base, "GET", "/v1/hosts")[1]["hosts"]}
    assert [host["name"] for host in hosts] == sorted(engine_cases.HOSTS)
    for host in hosts:
        real = truth[host["name"]]
        assert host["vcpus"] == {"used": real["used"]["vcpus"], "capacity": 4}
        assert host["placements"] == len(real["placements"])
    # A table shows used/capacity; json and yaml the numbers.
    table = cli.run("host", "list", "--rack", "r2", "-c", "name", "-c", "vcpus")
    assert table.cells() == [["name", "vcpus"]] + [
        [name, f"{truth[name]['used']['vcpus']}/4"] for name in ("r2-h1", "r2-h2")]
    busy = plan["placements"]["orch-x1"]["location"]
    assert cli.json("host", "show", busy, front="openstack") == truth[busy]
    assert "(HTTP 404" in cli.refused("host", "show", "no-such-host")


def test_status_shows_engine_and_database(cli):
    status = cli.json("status")
    assert status["engine"]["state"] == "ok" and status["database"]["state"] == "ok"
    assert status["database"]["backend"] == "sqlite"


def test_violations_appear_once_a_host_shrinks(cli, plan, valet_directory, tmp_path):
    assert cli.json("violation", "list", front="openstack") == []
    where = placement_of(cli, "orch-x1")["location"]
    smaller = copy.deepcopy(engine_cases.INVENTORY)
    for entry in smaller["hosts"]:
        if entry["name"] == where:
            entry["vcpus"] = 0
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(smaller))
    port = free_port()
    database = f"sqlite:///{valet_directory / 'state' / 'valet.sqlite'}"
    conf = write_conf(tmp_path, port, inventory, database={"connection": database})
    on_host = call(cli.base, "GET", f"/v1/placements?location={where}")[1]["placements"]
    with serving(tmp_path, conf, port) as shrunk:
        truth = call(shrunk, "GET", "/v1/resources")[1]["resources"]
        assert set(truth) == {placed["resource_id"] or placed["id"] for placed in on_host}
        shown = cli.json("violation", "list", options=["--os-valet-url", shrunk])
    assert shown == [{"resource": key, "type": "OS::Nova::Server", "status": "violation",
                      "message": found["message"]} for key, found in sorted(truth.items())]
    assert all(f"host {where} vcpus" in row["message"] for row in shown)
