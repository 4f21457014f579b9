"""The acceptance of issue 13 §1: ``openstack valet plan create --template
etc/heat/examples/group_assignment.yaml --dry-run`` and the same with
``valet`` against the server ``make run`` starts: etc/valet/valet.conf's
settings (noauth, two workers, the local engine, etc/valet/inventory.yaml),
copied with a temporary state path and a free port, reached through
``VALET_URL`` as an admin would set it."""

import configparser
import pathlib
import subprocess

import pytest

from tests.cli.runner import FRONTS, clean_environment
from tests.support.live_server import call, free_port, serving

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = "etc/heat/examples/group_assignment.yaml"


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("make-run")
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(ROOT / "etc" / "valet" / "valet.conf")
    # NOTE: only where it lives changes: paths relative to the checkout
    # become absolute (the server runs in its own directory), the state is
    # temporary and the port free (8090 may be `make run`'s own).
    conf["DEFAULT"]["state_path"] = str(directory / "state")
    conf["inventory"]["file"] = str(ROOT / conf["inventory"]["file"])
    port = free_port()
    conf["api"]["port"] = str(port)
    with open(directory / "valet.conf", "w") as stream:
        conf.write(stream)
    with serving(directory, directory / "valet.conf", port) as base:
        yield base


@pytest.mark.parametrize("front", ["openstack", "valet"])
def test_a_dry_run_of_an_example_template(make_run_server, front, tmp_path):
    command = FRONTS[front] + (["valet"] if front == "openstack" else []) + [
        "plan", "create", "--template", TEMPLATE, "--dry-run"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=clean_environment(tmp_path, VALET_URL=make_run_server))
    assert done.returncode == 0, done.stderr
    rows = [[cell.strip() for cell in line.split("|")[1:-1]]
            for line in done.stdout.splitlines() if line.startswith("|")]
    assert rows[0] == ["server", "host", "rack", "cluster", "zone", "groups"]
    host = {row[0]: row[1] for row in rows[1:]}
    rack = {row[0]: row[2] for row in rows[1:]}
    assert sorted(host) == ["a1", "a2", "b1", "b2"]
    # Each pair shares a host (affinity), the pairs are in different racks.
    assert host["a1"] == host["a2"] and host["b1"] == host["b2"]
    assert rack["a1"] != rack["b1"]
    status, body = call(make_run_server, "GET", "/v1/plans")
    assert (status, body) == (200, {"plans": []})
