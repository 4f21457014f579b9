"""A real ``valet-api`` process for the Heat and Cinder tests: SQLite, the
in-process engine and a file inventory of four hosts in two racks and two
Cinder backends, on 127.0.0.1 (DESIGN §8)."""

import contextlib

import yaml

from valet_api.live_server import call, free_port, start_server, stop, wait_until_up

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


def write_conf(directory, port):
    inventory = directory / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(INVENTORY))
    conf = directory / "valet.conf"
    conf.write_text(
        "[DEFAULT]\n"
        f"state_path = {directory / 'state'}\n"
        "[api]\nhost = 127.0.0.1\n"
        f"port = {port}\nworkers = 1\nauth_strategy = noauth\n"
        "[database]\n"
        f"connection = sqlite:///{directory / 'state' / 'valet.sqlite'}\n"
        "[engine]\nmode = local\nsolver_time_budget = 0.2\n"
        "[inventory]\ndriver = file\n"
        f"file = {inventory}\n")
    return conf


@contextlib.contextmanager
def running_valet(directory):
    """The base URL of a valet-api serving until the block ends (stopped
    on failure too)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log = start_server(directory, write_conf(directory, port))
    try:
        wait_until_up(base, process, timeout=60.0)
        yield base
    finally:
        stop(process, log)


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
