"""The dashboard in a real headless Chromium against a real valet-api.

One valet-api (noauth, ``[api] dashboard = true``, SQLite, the engine in
process) over :data:`INVENTORY` serves the module's tests; the groups and
plans they look at are made over its API first. One Chromium, started by
PID (:mod:`tests.browser.chromium`), serves the session; each test gets a
fresh browser context (no shared sessionStorage) and page.
"""

import copy
import pathlib

import pytest
import yaml
from playwright.sync_api import sync_playwright

from tests.browser import chromium
from tests.support import live_server

ROOT = pathlib.Path(__file__).resolve().parents[2]
IMAGES = ROOT / "doc" / "images"

#: 2 clusters, 3 racks, 9 hosts of 8 vCPU, 16 GB, 200 GB (ratios 1.0): ``large``
#: fills a host. c1r1h2 carries load Valet did not place (vCPU and RAM unequal
#: shares); c2r1h3 is disabled. One Cinder pool per cluster.
HOST_SIZE = {"vcpus": 8, "memory_mb": 16384, "disk_gb": 200}
RACKS = {"c1r1": "c1", "c1r2": "c1", "c2r1": "c2"}
INVENTORY = {
    "datacenter": "dc-browser",
    "defaults": {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0,
                 "disk_allocation_ratio": 1.0},
    "flavors": {"small": {"vcpus": 1, "ram": 1024, "disk": 10},
                "medium": {"vcpus": 2, "ram": 4096, "disk": 40},
                "large": {"vcpus": 8, "ram": 16384, "disk": 100}},
    "clusters": {"c1": {}, "c2": {}},
    "racks": {rack: {"cluster": cluster} for rack, cluster in RACKS.items()},
    "hosts": [{"name": f"{rack}h{number}", "rack": rack, "availability_zone": f"az-{cluster}",
               **HOST_SIZE} for rack, cluster in RACKS.items() for number in (1, 2, 3)],
    "storage_backends": [
        {"name": f"cinder-{cluster}@lvm#pool", "cluster": cluster,
         "availability_zone": f"az-{cluster}", "capacity_gb": 10000, "volume_types": ["standard"]}
        for cluster in ("c1", "c2")],
}
for _host in INVENTORY["hosts"]:
    if _host["name"] == "c1r1h2":
        _host["used"] = {"vcpus": 6, "memory_mb": 2048, "disk_gb": 20}
    if _host["name"] == "c2r1h3":
        _host["enabled"] = False
HOSTS = [host["name"] for host in INVENTORY["hosts"]]


def write_inventory(path, inventory=None):
    path.write_text(yaml.safe_dump(copy.deepcopy(inventory or INVENTORY)))
    return path


def server(name, flavor="small", groups=None):
    """``(orch id, Heat entry)`` of one server (``groups``: named groups)."""
    properties = {"flavor": flavor, "image": "cirros"}
    if groups:
        properties["metadata"] = {"valet": {"groups": list(groups)}}
    return f"orch-{name}", {"type": "OS::Nova::Server", "name": name, "properties": properties}


def volume(name, size=100):
    return f"orch-{name}", {"type": "OS::Cinder::Volume", "name": name,
                            "properties": {"size": size, "volume_type": "standard"}}


def assignment(name, kind, level, members):
    """An in-stack ``OS::Valet::GroupAssignment`` over resource names."""
    return f"orch-{name}", {"type": "OS::Valet::GroupAssignment", "name": name,
                            "properties": {"group_type": kind, "group_name": name,
                                           "level": level, "resources": list(members)}}


class Valet:
    """A running valet-api: its base URL and JSON calls that must succeed."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        status, answer = live_server.call(self.base, method, path, body)
        assert status in expect, (method, path, status, answer)
        return answer

    def plan(self, stack_id, name, *resources):
        body = {"plan_name": name, "stack_id": stack_id, "resources": dict(resources)}
        return self.call("POST", "/v1/plans", body)["plan"]


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Playwright connected to a Chromium the test session started."""
    directory = tmp_path_factory.mktemp("chromium")
    with chromium.running(directory) as (_pid, devtools), sync_playwright() as playwright:
        connected = playwright.chromium.connect_over_cdp(devtools)
        yield connected
        connected.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    opened = context.new_page()
    problems = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("console", lambda message: message.type == "error"
              and problems.append(f"console: {message.text}"))
    opened.problems = problems
    yield opened
    context.close()


def start_valet(directory, inventory, port=None, **sections):
    """``(process, log, Valet)`` of a valet-api over ``inventory`` on ``port``
    (a free one if None), its state in ``directory`` (the dashboard on unless
    ``sections`` say otherwise)."""
    directory.mkdir(exist_ok=True)
    (directory / "state").mkdir(exist_ok=True)
    port = port or live_server.free_port()
    sections = {"api": {"dashboard": "true", **sections.pop("api", {})}, **sections}
    conf = live_server.write_conf(directory, port, inventory, **sections)
    process, log = live_server.start_server(directory, conf)
    base = f"http://127.0.0.1:{port}"
    try:
        live_server.wait_until_up(base, process, timeout=60)
    except live_server.NotServing:
        live_server.stop(process, log)
        raise
    return process, log, Valet(base)


@pytest.fixture(scope="module")
def valet(tmp_path_factory):
    directory = tmp_path_factory.mktemp("valet")
    inventory = write_inventory(directory / "inventory.yaml")
    process, log, running = start_valet(directory / "api", inventory)
    try:
        yield running
    finally:
        assert live_server.stop(process, log) == 0


def open_dashboard(page, base):
    """The page at ``base``/dashboard once it has drawn the API's answers."""
    answer = page.goto(f"{base}/dashboard")
    assert answer.status == 200
    page.wait_for_selector("body[data-loaded=done]")
    return page
