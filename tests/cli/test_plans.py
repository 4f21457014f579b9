"""``valet plan ...`` against a real valet-api: plans from HOT templates
(translated by the API; dry runs that store nothing), from a resources
file, and their update, migration and deletion; the refusal of a stack that
cannot fit, with Valet's message and hints."""

import json

import pytest
import yaml

from tests.api import engine_cases
from tests.support.live_server import call

SPREAD = {
    "heat_template_version": "2018-08-31",
    "parameters": {"flavor": {"type": "string", "default": "small"},
                   "count": {"type": "number", "default": 2}},
    "resources": {
        "a": {"type": "OS::Nova::Server", "properties": {"flavor": {"get_param": "flavor"}}},
        "b": {"type": "OS::Nova::Server", "properties": {"flavor": {"get_param": "flavor"}}},
        "pool": {"type": "OS::Heat::ResourceGroup", "properties": {
            "count": {"get_param": "count"},
            "resource_def": {"type": "OS::Nova::Server",
                             "properties": {"flavor": {"get_param": "flavor"}}}}},
        "apart": {"type": "OS::Valet::GroupAssignment", "properties": {
            "group_type": "diversity", "level": "rack",
            "resources": [{"get_resource": "a"}, {"get_resource": "b"}]}},
    },
}
#: Five servers that must not share a host, on four hosts.
TOO_MANY = {
    "heat_template_version": "2018-08-31",
    "resources": {
        **{f"s{number}": {"type": "OS::Nova::Server", "properties": {"flavor": "small"}}
           for number in range(1, 6)},
        "apart": {"type": "OS::Valet::GroupAssignment", "properties": {
            "group_type": "diversity", "level": "host",
            "resources": [{"get_resource": f"s{number}"} for number in range(1, 6)]}},
    },
}
RACK_OF = {name: name.split("-")[0] for name in engine_cases.HOSTS}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("templates")
    written = {"spread": SPREAD, "too_many": TOO_MANY,
               "no_pool": {"parameter_defaults": {"count": 0}}}
    for name, content in written.items():
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(content))
    return directory


def plans(cli):
    status, body = call(cli.base, "GET", "/v1/plans")
    assert status == 200, body
    return body["plans"]


def used_vcpus(cli):
    status, body = call(cli.base, "GET", "/v1/hosts")
    assert status == 200, body
    return {host["name"]: host["used"]["vcpus"] for host in body["hosts"]}


def by_server(rows):
    return {row["server"]: row for row in rows}


def test_a_dry_run_shows_where_each_server_would_go_and_stores_nothing(cli, files):
    before = used_vcpus(cli)
    table = cli.run("plan", "create", "--template", files / "spread.yaml", "--dry-run",
                    front="openstack")
    assert table.returncode == 0, table
    header = table.stdout.splitlines()[1]
    assert header.split("|")[1:-1] == [f" {column:<{len(cell) - 2}} " for column, cell in zip(
        ("server", "host", "rack", "cluster", "zone", "groups"), header.split("|")[1:-1],
        strict=True)]
    rows = by_server(cli.json("plan", "create", "--template", files / "spread.yaml",
                              "--dry-run"))
    assert set(rows) == {"a", "b", "pool.0", "pool.1"}
    for row in rows.values():
        assert row["host"] in engine_cases.HOSTS
        assert (row["rack"], row["cluster"], row["zone"]) == (RACK_OF[row["host"]], "c1", "nova")
    assert rows["a"]["rack"] != rows["b"]["rack"]
    assert "apart" in rows["a"]["groups"] and "apart" in rows["b"]["groups"]
    assert plans(cli) == [] and used_vcpus(cli) == before


def test_parameters_and_the_environment_reach_the_template(cli, files):
    # Four whole-host servers: each on a host of its own.
    rows = cli.json("plan", "create", "--template", files / "spread.yaml", "--dry-run",
                    "--parameter", "flavor=large", "--parameter", "count=2")
    assert sorted(row["host"] for row in rows) == sorted(engine_cases.HOSTS)
    # The environment's parameter_defaults: no pool.
    rows = cli.json("plan", "create", "--template", files / "spread.yaml", "--dry-run",
                    "--environment", files / "no_pool.yaml", front="openstack")
    assert {row["server"] for row in rows} == {"a", "b"}
    # Five whole-host servers do not fit on four hosts.
    stderr = cli.refused("plan", "create", "--template", files / "spread.yaml", "--dry-run",
                         "--parameter", "flavor=large", "--parameter", "count=3")
    assert "NoPlacement" in stderr


def test_a_refusal_prints_valets_message_and_hints(cli, files):
    status, body = call(cli.base, "POST", "/v1/plans", {
        "template": (files / "too_many.yaml").read_text(), "parameters": {}, "dry_run": True})
    assert status == 409, body
    result = cli.run("plan", "create", "--template", files / "too_many.yaml", "--dry-run")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"ERROR: {body['error']['message']} (HTTP 409 NoPlacement)"
    assert lines[1:] == [f"  hint: {hint}" for hint in body["error"].get("hints", [])]
    assert "diversity(host)" in lines[0]


def test_a_plan_from_create_to_delete(cli, files, tmp_path):
    rows = by_server(cli.json("plan", "create", "--template", files / "spread.yaml",
                              "--stack-id", "stack-1", "--name", "web"))
    stored = call(cli.base, "GET", "/v1/plans/stack-1")[1]["plan"]
    assert stored["name"] == "web"
    assert {placed["name"]: placed["location"] for placed in stored["placements"].values()} \
        == {server: row["host"] for server, row in rows.items()}
    # A stored plan's rack, cluster and zone come from /v1/hosts (noauth: an admin).
    assert all(row["rack"] == RACK_OF[row["host"]] and row["zone"] == "nova"
               for row in rows.values())
    listed = cli.json("plan", "list", front="openstack")
    assert [(plan["name"], plan["stack_id"], plan["placements"]) for plan in listed] \
        == [("web", "stack-1", 4)]
    shown = cli.json("plan", "show", "stack-1")
    assert shown["id"] == stored["id"] and shown["placements"] == stored["placements"]

    now = {orch_id: {"type": "OS::Nova::Server", "name": placed["name"],
                     "properties": {"flavor": "small"}}
           for orch_id, placed in stored["placements"].items() if placed["name"] != "pool.1"}
    (tmp_path / "now.json").write_text(json.dumps(now))
    rows = by_server(cli.json("plan", "update", "stack-1", "--resources",
                              tmp_path / "now.json", front="openstack"))
    assert set(rows) == {"a", "b", "pool.0"}

    orch_a = next(orch_id for orch_id, entry in now.items() if entry["name"] == "a")
    was = rows["a"]["host"]
    other = next(host for host in engine_cases.HOSTS if host != was)
    moved = by_server(cli.json("plan", "migrate", "stack-1", orch_a, "--exclude-host", other))
    assert moved["a"]["host"] not in (was, other)
    assert cli.run("plan", "delete", stored["id"], front="openstack").returncode == 0
    assert call(cli.base, "GET", "/v1/plans/stack-1")[0] == 404
    assert "no plan stack-1" in cli.refused("plan", "delete", "stack-1")


def test_a_plan_from_a_resources_file(cli, tmp_path):
    resources = dict(engine_cases.servers("r", 2))
    (tmp_path / "resources.json").write_text(json.dumps(resources))
    shown = cli.run("plan", "create", "--resources", tmp_path / "resources.json",
                    "--stack-id", "stack-r", "-f", "value", "-c", "server", "-c", "host",
                    front="openstack")
    placed = dict(shown.table())
    stored = call(cli.base, "GET", "/v1/plans/stack-r")[1]["plan"]["placements"]
    assert placed == {entry["name"]: entry["location"] for entry in stored.values()}
    assert set(placed) == {"r1", "r2"}


def test_a_stored_plan_needs_a_stack_id(cli, files):
    stderr = cli.refused("plan", "create", "--template", files / "spread.yaml")
    assert "give --stack-id (or --dry-run)" in stderr
    stderr = cli.refused("plan", "create", "--template", files / "missing.yaml", "--dry-run")
    assert "cannot read" in stderr and "missing.yaml" in stderr


def test_noauth_sends_the_project_id_as_x_project_id(cli, tmp_path):
    resources = dict([engine_cases.server("owned")])
    (tmp_path / "owned.json").write_text(json.dumps(resources))
    made = cli.run("plan", "create", "--resources", tmp_path / "owned.json",
                   "--stack-id", "stack-owned",
                   options=["--os-valet-url", cli.base, "--os-project-id", "project-a"])
    assert made.returncode == 0, made
    # The stack is project-a's: the same stack id is refused to another
    # project and is the existing plan to project-a (noauth's X-Project-Id).
    body = engine_cases.plan_body("stack-owned", *resources.items())
    assert call(cli.base, "POST", "/v1/plans", body, {"X-Project-Id": "project-b"})[0] == 409
    assert call(cli.base, "POST", "/v1/plans", body, {"X-Project-Id": "project-a"})[0] == 201
