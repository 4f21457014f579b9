"""A real ``valet-api`` process for the Heat and Cinder tests: SQLite, the
in-process engine and a file inventory of four hosts in two racks and two
Cinder backends, on 127.0.0.1 (DESIGN §8)."""

import contextlib

import yaml

from tests.support.live_server import call, free_port, serving, write_conf

HOSTS = ("r1-h1", "r1-h2", "r2-h1", "r2-h2")
BACKENDS = ("cinder-r1@lvm#pool1", "cinder-r2@lvm#pool1")
INVENTORY = {
    "datacenter": "dc-heat",
    "defaults": {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
                 "disk_allocation_ratio": 1.0},
    # NOTE: ids as heat's fake nova client knows them ("2" is m1.small).
    "flavors": {"m1.small": {"id": "2", "vcpus": 1, "ram": 1024, "disk": 10},
                "m1.large": {"id": "4", "vcpus": 4, "ram": 4096, "disk": 40}},
    "clusters": {"c1": {}},
    "racks": {"r1": {"cluster": "c1"}, "r2": {"cluster": "c1"}},
    "hosts": [{"name": name, "rack": name.split("-")[0], "vcpus": 16, "memory_mb": 32768,
               "disk_gb": 500, "uplink_mbps": 10000} for name in HOSTS],
    "storage_backends": [{"name": name, "rack": name[7:9], "capacity_gb": 1000,
                          "volume_types": ["lvm"]} for name in BACKENDS],
}


@contextlib.contextmanager
def running_valet(directory):
    """The base URL of a valet-api serving until the block ends (stopped
    on failure too)."""
    inventory = directory / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(INVENTORY))
    port = free_port()
    conf = write_conf(directory, port, inventory, engine={"solver_time_budget": 0.2})
    with serving(directory, conf, port) as base:
        yield base


def plan_of(base, stack_id):
    """``GET /v1/plans/{stack_id}``: the plan, or ``None`` (404)."""
    status, body = call(base, "GET", f"/v1/plans/{stack_id}")
    if status == 404:
        return None
    assert status == 200, body
    return body["plan"]


def groups_by_host(base):
    """host → the names of the groups with a placement on it."""
    status, body = call(base, "GET", "/v1/hosts")
    assert status == 200, body
    return {host["name"]: set(host["groups"]) for host in body["hosts"]}
