"""The file inventory driver: DESIGN §8 YAML in, a Datacenter out, or an
InventoryError that names the file, the entry and the key."""

import copy
import math

import pytest
import yaml

from ostro.config import EngineSettings
from ostro.errors import InventoryError
from ostro.inventory import file as inventory

# A data centre that uses every key of DESIGN §8 at least once.
FULL = {
    "datacenter": "dc1",
    "defaults": {"cpu_allocation_ratio": 8.0, "ram_allocation_ratio": 1.25},
    "flavors": {
        "m1.small": {"id": 2, "vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 5,
                     "swap": 512,
                     "extra_specs": {"aggregate_instance_extra_specs:ssd": "true"}},
        "m1.tiny": {"vcpus": 1, "ram": 512},
        "m1.grouped": {"vcpus": 2, "ram": 4096,
                       "extra_specs": {"valet": {"groups": ["ha-pair"]}, "hw:gpu": True}},
    },
    "clusters": {"c01": {"uplink_mbps": 400000}, "c02": {}},
    "racks": {
        "r01": {"cluster": "c01", "uplink_mbps": 40000},
        "r02": {"cluster": "c01"},
        "r03": {"cluster": "c03"},  # c03 is declared by this rack only
    },
    "aggregates": {
        "ssd": {"metadata": {"ssd": "true"}, "cpu_allocation_ratio": 4.0},
        "gpu": {"metadata": {"gpu": True, "cores": 4}, "cpu_allocation_ratio": 2.5,
                "ram_allocation_ratio": 1.0},
        "plain": {},
    },
    "hosts": [
        {"name": "h001", "rack": "r01", "availability_zone": "az1", "vcpus": 10,
         "memory_mb": 1000, "disk_gb": 100, "uplink_mbps": 10000,
         "aggregates": ["ssd", "gpu"], "cpu_allocation_ratio": 3.0},
        {"name": "h002", "rack": "r01", "vcpus": 10, "memory_mb": 1000, "disk_gb": 100,
         "aggregates": ["ssd", "gpu"], "used": {"vcpus": 2, "memory_mb": 256}},
        {"name": "h003", "rack": "r02", "vcpus": 10, "memory_mb": 1000, "disk_gb": 100,
         "enabled": False},
        {"name": "h004", "rack": "r03", "vcpus": 10, "memory_mb": 1000, "disk_gb": 100,
         "aggregates": ["plain"]},
    ],
    "storage_backends": [
        {"name": "cinder@lvm#rack", "rack": "r01", "capacity_gb": 2000,
         "volume_types": ["lvm", "fast"], "used_gb": 100},
        {"name": "cinder@ceph#cluster", "cluster": "c01", "capacity_gb": 50000,
         "availability_zone": "az1"},
        {"name": "cinder@nfs#shared", "capacity_gb": 9000, "enabled": False},
        {"name": "cinder@lvm#both", "rack": "r03", "cluster": "c03", "capacity_gb": 10},
    ],
}

MINIMAL = {
    "racks": {"r1": {"cluster": "c1"}},
    "hosts": [{"name": "h1", "rack": "r1", "vcpus": 4, "memory_mb": 512, "disk_gb": 40}],
}

DELETE = object()


def write(tmp_path, data):
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def changed(data, path, value):
    """A deep copy of ``data`` with the item at ``path`` set (or deleted)."""
    result = copy.deepcopy(data)
    *parents, last = path
    target = result
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return result


@pytest.fixture
def full(tmp_path):
    return inventory.load(write(tmp_path, FULL))


def case(name, read, expected):
    return pytest.param(read, expected, id=name)


@pytest.mark.parametrize("read, expected", [
    case("datacenter name", lambda d: d.name, "dc1"),
    case("clusters, declared and implicit", lambda d: sorted(d.clusters),
         ["c01", "c02", "c03"]),
    case("cluster uplink", lambda d: d.clusters["c01"].uplink_mbps, 400000),
    case("cluster without uplink", lambda d: d.clusters["c02"].uplink_mbps, math.inf),
    case("implicit cluster", lambda d: d.clusters["c03"],
         inventory.dc.Domain("c03", "cluster", None, math.inf)),
    case("declared cluster", lambda d: d.clusters["c01"],
         inventory.dc.Domain("c01", "cluster", None, 400000)),
    case("racks", lambda d: sorted(d.racks), ["r01", "r02", "r03"]),
    case("rack with uplink", lambda d: d.racks["r01"],
         inventory.dc.Domain("r01", "rack", "c01", 40000)),
    case("rack without uplink", lambda d: d.racks["r03"],
         inventory.dc.Domain("r03", "rack", "c03", math.inf)),
    case("hosts in file order", lambda d: list(d.hosts), ["h001", "h002", "h003", "h004"]),
    case("host cluster from its rack", lambda d: (d.hosts["h001"].rack,
                                                   d.hosts["h001"].cluster), ("r01", "c01")),
    case("host in implicit cluster", lambda d: (d.hosts["h004"].rack,
                                                 d.hosts["h004"].cluster), ("r03", "c03")),
    case("host zone", lambda d: d.hosts["h001"].availability_zone, "az1"),
    case("host default zone", lambda d: d.hosts["h002"].availability_zone, "nova"),
    case("host size", lambda d: (d.hosts["h001"].vcpus, d.hosts["h001"].memory_mb,
                                 d.hosts["h001"].disk_gb), (10, 1000, 100)),
    case("host uplink", lambda d: d.hosts["h001"].uplink_mbps, 10000),
    case("host without uplink", lambda d: d.hosts["h002"].uplink_mbps, math.inf),
    case("host aggregates", lambda d: d.hosts["h001"].aggregates, ("ssd", "gpu")),
    case("host without aggregates", lambda d: d.hosts["h003"].aggregates, ()),
    case("host ratio", lambda d: d.hosts["h001"].ratios, {"cpu_allocation_ratio": 3.0}),
    case("host without ratio", lambda d: d.hosts["h002"].ratios, {}),
    case("disabled host kept", lambda d: [h.name for h in d.hosts.values() if not h.enabled],
         ["h003"]),
    case("used load", lambda d: d.hosts["h002"].used,
         {"vcpus": 2, "memory_mb": 256, "disk_gb": 0}),
    case("used load is foreign", lambda d: d.hosts["h002"].has_foreign_load, True),
    case("no used load", lambda d: d.hosts["h001"].used,
         {"vcpus": 0, "memory_mb": 0, "disk_gb": 0}),
    case("no foreign load", lambda d: d.hosts["h001"].has_foreign_load, False),
    case("aggregates", lambda d: sorted(d.aggregates), ["gpu", "plain", "ssd"]),
    case("aggregate metadata", lambda d: d.aggregates["ssd"].metadata, {"ssd": "true"}),
    case("aggregate ratio", lambda d: d.aggregates["ssd"].ratios,
         {"cpu_allocation_ratio": 4.0}),
    # YAML booleans and numbers become the strings Nova holds.
    case("aggregate metadata as strings", lambda d: d.aggregates["gpu"].metadata,
         {"gpu": "true", "cores": "4"}),
    case("empty aggregate", lambda d: d.aggregates["plain"],
         inventory.dc.Aggregate("plain", {}, {})),
    case("host aggregate metadata", lambda d: d.aggregate_metadata(d.hosts["h001"]),
         {"ssd": {"true"}, "gpu": {"true"}, "cores": {"4"}}),
    case("flavors", lambda d: sorted(d.flavors), ["m1.grouped", "m1.small", "m1.tiny"]),
    case("full flavor", lambda d: d.flavors["m1.small"],
         inventory.dc.Flavor(name="m1.small", id="2", vcpus=1, ram=2048, disk=20,
                             ephemeral=5, swap=512,
                             extra_specs={"aggregate_instance_extra_specs:ssd": "true"})),
    case("flavor defaults", lambda d: d.flavors["m1.tiny"],
         inventory.dc.Flavor(name="m1.tiny", vcpus=1, ram=512, disk=0)),
    case("flavor by id", lambda d: d.find_flavor("2").name, "m1.small"),
    case("extra specs as strings", lambda d: d.flavors["m1.grouped"].extra_specs,
         {"valet": '{"groups": ["ha-pair"]}', "hw:gpu": "true"}),
    case("inventory defaults", lambda d: d.defaults,
         {"cpu_allocation_ratio": 8.0, "ram_allocation_ratio": 1.25}),
    case("backends in file order", lambda d: list(d.backends),
         ["cinder@lvm#rack", "cinder@ceph#cluster", "cinder@nfs#shared", "cinder@lvm#both"]),
    case("rack backend", lambda d: d.backends["cinder@lvm#rack"],
         inventory.dc.StorageBackend(name="cinder@lvm#rack", capacity_gb=2000, rack="r01",
                                     cluster="c01", volume_types=("lvm", "fast"),
                                     used_gb=100)),
    case("backend zone", lambda d: d.backends["cinder@ceph#cluster"].availability_zone, "az1"),
    case("disabled backend", lambda d: d.backends["cinder@nfs#shared"].enabled, False),
    case("backend location", lambda d: d.location("cinder@nfs#shared").kind, "backend"),
    case("host location", lambda d: d.location("h002").kind, "host"),
])
def test_full_inventory_loads(full, read, expected):
    assert read(full) == expected


@pytest.mark.parametrize("read, expected", [
    case("datacenter name", lambda d: d.name, "dc"),
    case("empty sections", lambda d: (d.flavors, d.aggregates, d.backends, d.defaults),
         ({}, {}, {}, {})),
    case("implicit cluster", lambda d: d.clusters["c1"], inventory.dc.Domain("c1", "cluster")),
    case("rack", lambda d: d.racks["r1"], inventory.dc.Domain("r1", "rack", "c1")),
    case("host", lambda d: d.hosts["h1"],
     inventory.dc.Host(name="h1", rack="r1", cluster="c1", vcpus=4, memory_mb=512,
                       disk_gb=40, availability_zone="nova", uplink_mbps=math.inf,
                       aggregates=(), enabled=True, ratios={},
                       used={"vcpus": 0, "memory_mb": 0, "disk_gb": 0})),
])
def test_missing_optional_keys_take_defaults(tmp_path, read, expected):
    assert read(inventory.load(write(tmp_path, MINIMAL))) == expected


def test_backend_defaults(tmp_path):
    data = dict(MINIMAL, storage_backends=[{"name": "pool", "capacity_gb": 5}])
    backend = inventory.load(write(tmp_path, data)).backends["pool"]
    assert backend == inventory.dc.StorageBackend(
        name="pool", capacity_gb=5, rack=None, cluster=None, volume_types=(),
        availability_zone="nova", used_gb=0, enabled=True)


def test_empty_sections_written_as_null_take_defaults(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("datacenter:\nflavors:\nclusters: {c1: }\nracks: {r1: {cluster: c1}}\n"
                    "hosts: []\n", encoding="utf-8")
    datacenter = inventory.load(path)
    assert (datacenter.name, datacenter.flavors, datacenter.hosts) == ("dc", {}, {})
    assert datacenter.clusters["c1"].uplink_mbps == math.inf


# Engine defaults differ from every inventory value so each source is visible.
ENGINE = {"default_cpu_allocation_ratio": 100.0, "default_ram_allocation_ratio": 100.0,
          "default_disk_allocation_ratio": 3.0}


@pytest.mark.parametrize("host, settings, expected", [
    # cpu: the host's own 3.0 beats the smaller aggregate 2.5; ram: gpu's 1.0
    # (ssd sets none); disk: neither aggregates nor inventory defaults -> engine.
    ("h001", ENGINE, (30.0, 1000.0, 300.0)),
    # cpu: minimum of ssd 4.0 and gpu 2.5.
    ("h002", ENGINE, (25.0, 1000.0, 300.0)),
    # no aggregates: inventory defaults 8.0 and 1.25, disk from the engine.
    ("h003", ENGINE, (80.0, 1250.0, 300.0)),
    # an aggregate without ratios falls through to the inventory defaults.
    ("h004", ENGINE, (80.0, 1250.0, 300.0)),
    # standby percentages come off what the ratios give.
    ("h003", dict(ENGINE, cpu_standby_ratio=25.0, ram_standby_ratio=10.0,
                  disk_standby_ratio=50.0), (60.0, 1125.0, 150.0)),
    ("h001", dict(ENGINE, cpu_standby_ratio=50.0), (15.0, 1000.0, 300.0)),
])
def test_capacity_ratio_precedence(full, host, settings, expected):
    capacity = full.capacity(full.hosts[host], EngineSettings(**settings))
    assert capacity == pytest.approx(expected)


def test_capacity_without_inventory_defaults_uses_engine_defaults(tmp_path):
    datacenter = inventory.load(write(tmp_path, MINIMAL))
    settings = EngineSettings(default_cpu_allocation_ratio=2.0,
                              default_ram_allocation_ratio=1.5,
                              default_disk_allocation_ratio=0.5)
    assert datacenter.capacity(datacenter.hosts["h1"], settings) == \
        pytest.approx((8.0, 768.0, 20.0))


@pytest.mark.parametrize("location, level, expected", [
    ("cinder@lvm#rack", "host", None),
    ("cinder@lvm#rack", "rack", "r01"),
    ("cinder@lvm#rack", "cluster", "c01"),
    ("cinder@ceph#cluster", "host", None),
    ("cinder@ceph#cluster", "rack", None),
    ("cinder@ceph#cluster", "cluster", "c01"),
    ("cinder@nfs#shared", "host", None),
    ("cinder@nfs#shared", "rack", None),
    ("cinder@nfs#shared", "cluster", None),
    ("cinder@lvm#both", "rack", "r03"),
    ("cinder@lvm#both", "cluster", "c03"),
    ("h004", "host", "h004"),
    ("h004", "rack", "r03"),
    ("h004", "cluster", "c03"),
])
def test_location_domains(full, location, level, expected):
    assert full.location(location).domain(level) == expected


BACKEND0 = "storage_backends[0] (cinder@lvm#rack)"

# (change path, new value, entry, key, problem)
ERRORS = [
    # unknown keys, one per entry kind
    (("hostz",), [], "top level", "hostz", "unknown key"),
    (("defaults", "cpu_ratio"), 2.0, "defaults", "cpu_ratio", "unknown key"),
    (("flavors", "m1.tiny", "vcpu"), 1, "flavors.m1.tiny", "vcpu", "unknown key"),
    (("clusters", "c01", "speed"), 1, "clusters.c01", "speed", "unknown key"),
    (("racks", "r02", "row"), 1, "racks.r02", "row", "unknown key"),
    (("aggregates", "ssd", "meta"), {}, "aggregates.ssd", "meta", "unknown key"),
    (("hosts", 0, "cpus"), 4, "hosts[0] (h001)", "cpus", "unknown key"),
    (("hosts", 1, "used", "cpus"), 1, "hosts[1] (h002).used", "cpus", "unknown key"),
    (("storage_backends", 0, "size"), 1, BACKEND0, "size", "unknown key"),
    # required keys
    (("racks",), DELETE, "top level", "racks", "required key is missing"),
    (("hosts",), DELETE, "top level", "hosts", "required key is missing"),
    (("flavors", "m1.tiny", "ram"), DELETE, "flavors.m1.tiny", "ram", "required"),
    (("racks", "r02", "cluster"), DELETE, "racks.r02", "cluster", "required"),
    (("hosts", 0, "vcpus"), DELETE, "hosts[0] (h001)", "vcpus", "required"),
    (("hosts", 0, "name"), DELETE, "hosts[0]", "name", "required"),
    (("hosts", 2, "rack"), None, "hosts[2] (h003)", "rack", "required"),
    (("storage_backends", 0, "capacity_gb"), DELETE, BACKEND0, "capacity_gb", "required"),
    (("storage_backends", 1, "name"), DELETE, "storage_backends[1]", "name", "required"),
    # wrong types
    (("datacenter",), 7, "top level", "datacenter", "expected str, got 7"),
    (("racks",), ["r01"], "top level", "racks", "expected dict"),
    (("hosts", 0, "vcpus"), "32", "hosts[0] (h001)", "vcpus", "expected int, got '32'"),
    (("hosts", 0, "vcpus"), True, "hosts[0] (h001)", "vcpus", "got a boolean"),
    (("hosts", 0, "memory_mb"), 1.5, "hosts[0] (h001)", "memory_mb", "expected int"),
    (("hosts", 0, "uplink_mbps"), "fast", "hosts[0] (h001)", "uplink_mbps",
     "expected int or float"),
    (("hosts", 0, "enabled"), "yes", "hosts[0] (h001)", "enabled", "expected bool"),
    (("hosts", 0, "aggregates"), "ssd", "hosts[0] (h001)", "aggregates", "expected list"),
    (("hosts", 1, "used", "vcpus"), False, "hosts[1] (h002).used", "vcpus", "got a boolean"),
    (("defaults", "ram_allocation_ratio"), True, "defaults", "ram_allocation_ratio",
     "got a boolean"),
    (("aggregates", "ssd", "cpu_allocation_ratio"), "4", "aggregates.ssd",
     "cpu_allocation_ratio", "expected int or float"),
    (("flavors", "m1.tiny", "id"), True, "flavors.m1.tiny", "id", "got a boolean"),
    (("flavors", "m1.tiny", "extra_specs"), ["a"], "flavors.m1.tiny", "extra_specs",
     "expected dict"),
    (("racks", "r02", "cluster"), 1, "racks.r02", "cluster", "expected str"),
    (("storage_backends", 0, "capacity_gb"), True, BACKEND0, "capacity_gb", "got a boolean"),
    (("storage_backends", 0, "volume_types"), "lvm", BACKEND0, "volume_types",
     "expected list"),
    # negative numbers
    (("hosts", 0, "memory_mb"), -1, "hosts[0] (h001)", "memory_mb", "must not be negative"),
    (("hosts", 1, "used", "disk_gb"), -5, "hosts[1] (h002).used", "disk_gb", "negative"),
    (("racks", "r01", "uplink_mbps"), -1, "racks.r01", "uplink_mbps", "negative"),
    (("aggregates", "gpu", "ram_allocation_ratio"), -1.0, "aggregates.gpu",
     "ram_allocation_ratio", "negative"),
    (("storage_backends", 2, "capacity_gb"), -10, "storage_backends[2] (cinder@nfs#shared)",
     "capacity_gb", "negative"),
    # references
    (("hosts", 0, "rack"), "r99", "hosts[0] (h001)", "rack", "unknown rack 'r99'"),
    (("hosts", 0, "aggregates"), ["ssd", "nvme"], "hosts[0] (h001)", "aggregates",
     "unknown aggregate 'nvme'"),
    (("hosts", 0, "aggregates"), [{"ssd": 1}], "hosts[0] (h001)", "aggregates",
     "unknown aggregate"),
    (("hosts", 1, "name"), "h001", "hosts[1] (h001)", "name", "duplicate host name"),
    (("storage_backends", 0, "rack"), "r99", BACKEND0, "rack", "unknown rack 'r99'"),
    (("storage_backends", 1, "cluster"), "c99", "storage_backends[1] (cinder@ceph#cluster)",
     "cluster", "unknown cluster 'c99'"),
    (("storage_backends", 3, "cluster"), "c01", "storage_backends[3] (cinder@lvm#both)",
     "cluster", "rack r03 is in cluster c03"),
    (("storage_backends", 1, "name"), "h002", "storage_backends[1] (h002)", "name",
     "duplicate location name"),
    (("storage_backends", 2, "name"), "cinder@lvm#rack",
     "storage_backends[2] (cinder@lvm#rack)", "name", "duplicate location name"),
]


@pytest.mark.parametrize("path, value, entry, key, problem", ERRORS,
                         ids=[f"{'.'.join(map(str, case[0]))}={case[1]!r}"[:60]
                              for case in ERRORS])
def test_invalid_inventory_names_file_entry_and_key(tmp_path, path, value, entry, key,
                                                    problem):
    source = write(tmp_path, changed(FULL, path, value))
    with pytest.raises(InventoryError) as caught:
        inventory.load(source)
    message = str(caught.value)
    assert message.startswith(f"{source}: {entry}: {key}: "), message
    assert problem in message
    assert (caught.value.source, caught.value.entry, caught.value.key) == \
        (source, entry, key)


@pytest.mark.parametrize("path, value, entry, problem", [
    (("hosts", 2), "h003", "hosts[2]", "expected a mapping, got str"),
    (("storage_backends", 0), ["pool"], "storage_backends[0]", "expected a mapping, got list"),
    (("racks", "r02"), None, "racks.r02", "expected a mapping, got NoneType"),
    (("flavors", "m1.tiny"), 1, "flavors.m1.tiny", "expected a mapping, got int"),
])
def test_entry_that_is_not_a_mapping(tmp_path, path, value, entry, problem):
    source = write(tmp_path, changed(FULL, path, value))
    with pytest.raises(InventoryError, match="expected a mapping") as caught:
        inventory.load(source)
    assert str(caught.value) == f"{source}: {entry}: {problem}"


@pytest.mark.parametrize("text, problem", [
    ("racks: {r01: [\n", "not valid YAML"),
    ("hosts: [\n  - name: h1\n rack: r1\n", "not valid YAML"),
    ("- racks\n- hosts\n", "expected a mapping, got list"),
    ("", "racks: required key is missing"),
])
def test_unreadable_documents(tmp_path, text, problem):
    source = tmp_path / "broken.yaml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        inventory.load(source)
    assert str(caught.value).startswith(f"{source}: ")
    assert problem in str(caught.value)


def test_missing_file(tmp_path):
    source = tmp_path / "absent.yaml"
    with pytest.raises(InventoryError) as caught:
        inventory.load(source)
    assert str(caught.value) == f"{source}: file: No such file or directory"


def test_loads_names_its_source():
    with pytest.raises(InventoryError) as caught:
        inventory.loads("racks: {}\nhosts: []\nextra: 1\n", source="inline.yaml")
    assert str(caught.value).startswith("inline.yaml: top level: extra: unknown key")
