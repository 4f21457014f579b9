"""Helpers for the API routes that go through the engine (plans, placements):
a small inventory on disk and apps pointed at it."""

import contextlib

import yaml

from ostro.state import migrate
from tests.api import conformance
from valet_api import app as valet_app

#: 1 cluster x 2 racks x 2 hosts of 4 vCPU, 4096 MB, 100 GB (ratios 1.0):
#: ``small`` is a quarter of a host, ``half`` a half, ``large`` a whole one.
HOSTS = ("r1-h1", "r1-h2", "r2-h1", "r2-h2")
HOST_SIZE = {"vcpus": 4, "memory_mb": 4096, "disk_gb": 100}
INVENTORY = {
    "datacenter": "dc-api",
    "defaults": {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
                 "disk_allocation_ratio": 1.0},
    "flavors": {"small": {"vcpus": 1, "ram": 1024, "disk": 10},
                "half": {"vcpus": 2, "ram": 2048, "disk": 20},
                "large": {"vcpus": 4, "ram": 4096, "disk": 40}},
    "clusters": {"c1": {}},
    "racks": {"r1": {"cluster": "c1"}, "r2": {"cluster": "c1"}},
    "hosts": [{"name": name, "rack": name.split("-")[0], **HOST_SIZE} for name in HOSTS],
}

PLAN_FIELDS = {"id", "name", "stack_id", "placements"}
PLACEMENT_FIELDS = {"id", "name", "orchestration_id", "resource_id", "location", "reserved",
                    "metadata", "plan_id"}


def write_inventory(directory):
    path = directory / "inventory.yaml"
    path.write_text(yaml.safe_dump(INVENTORY))
    return path


def engine_conf(url, inventory):
    conf = valet_app.default_conf(config_files=[])
    conf.set_override("connection", url, "database")
    conf.set_override("file", str(inventory), "inventory")
    conf.set_override("solver_time_budget", 0.2, "engine")
    return conf


@contextlib.contextmanager
def engine_api(url, inventory, upgrade=True, conf=None):
    """A webtest client of the app over ``url`` whose engine reads ``inventory``
    (configured by ``conf`` if given, else :func:`engine_conf`)."""
    if upgrade:
        migrate.upgrade(url)
    app = valet_app.setup_app(conf=conf or engine_conf(url, inventory))
    try:
        yield conformance.CheckedApp(app)
    finally:
        app.store.close()


def server(name, flavor="small", **properties):
    """``(orch id, entry)`` of one ``OS::Nova::Server``; orch ids differ from
    names so a test notices which one the API shows."""
    return f"orch-{name}", {"type": "OS::Nova::Server", "name": name,
                            "properties": {"flavor": flavor, **properties}}


def servers(prefix, count, flavor="small"):
    return [server(f"{prefix}{number}", flavor) for number in range(1, count + 1)]


def group(name, kind, level, members):
    """An in-stack ``OS::Valet::GroupAssignment`` over resource names."""
    return f"orch-{name}", {"type": "OS::Valet::GroupAssignment", "name": name,
                            "properties": {"group_type": kind, "group_name": name,
                                           "level": level, "resources": list(members)}}


def plan_body(stack_id, *resources, **fields):
    return {"plan_name": f"plan-{stack_id}", "stack_id": stack_id,
            "resources": dict(resources), **fields}
