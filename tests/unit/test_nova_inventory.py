"""The nova driver's data centre (ostro.inventory.cloud, ostro.inventory.racks):
racks from aggregates, the name pattern or a mapping file; unracked hosts."""

import pytest

from ostro.errors import InventoryError
from ostro.inventory import file as inventory_file
from ostro.inventory.cloud import Cloud, Layout, inventory, with_foreign
from ostro.inventory.racks import Naming, load_mapping

HYPERVISOR = {"vcpus": 8, "memory_mb": 16384, "disk_gb": 500, "state": "up",
              "status": "enabled"}


@pytest.mark.parametrize("host, metadata, mapping, expected", [
    ("pdk15r05c001", {}, {}, ("pdk15r05", "pdk15")),          # the original convention
    ("pdk15r05c001", {"valet_rack": {"r9"}}, {}, ("r9", "pdk15")),   # aggregates first
    ("pdk15r05c001", {"valet_rack": {"r9"}, "valet_cluster": {"c9"}}, {}, ("r9", "c9")),
    ("compute-7", {}, {"compute-7": {"rack": "r7", "cluster": None}}, ("r7", None)),
    ("compute-7", {}, {}, (None, None)),
])
def test_rack_and_cluster_sources(host, metadata, mapping, expected):
    assert Naming(mapping=mapping).resolve(host, metadata) == expected


def test_a_custom_pattern_needs_a_rack_group():
    assert Naming(pattern=r"^(?P<rack>r\d+)-").resolve("r12-n3", {}) == ("r12", None)
    with pytest.raises(InventoryError, match="rack"):
        Naming(pattern=r"^(\w+)-")


def test_mapping_file(tmp_path):
    path = tmp_path / "topology.yaml"
    path.write_text("compute-1: r1\ncompute-2: {rack: r2, cluster: c2}\n")
    assert load_mapping(path) == {"compute-1": {"rack": "r1", "cluster": None},
                                  "compute-2": {"rack": "r2", "cluster": "c2"}}
    path.write_text("compute-1: {cluster: c2}\n")
    with pytest.raises(InventoryError, match="compute-1"):
        load_mapping(path)


def cloud():
    return Cloud(
        hosts={name: dict(HYPERVISOR) for name in ("pdk1r01c001", "pdk1r02c001", "loner")},
        services={"pdk1r02c001": {"disabled": True, "up": True}},
        aggregates={"fast": {"metadata": {"ssd": "true", "ram_allocation_ratio": "1.0",
                                          "cpu_allocation_ratio": "lots"},
                             "hosts": ["pdk1r01c001"]}},
        zones={"pdk1r01c001": "az1"},
        flavors={"m1": {"id": "1", "vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0,
                        "swap": 0, "extra_specs": {}}})


def test_the_document_is_a_valid_inventory_with_unracked_hosts_apart(caplog):
    document = inventory(cloud(), Layout(Naming()))
    datacenter = inventory_file.build(document, "test")
    hosts = datacenter.hosts
    assert (hosts["pdk1r01c001"].rack, hosts["pdk1r01c001"].cluster) == ("pdk1r01", "pdk1")
    assert hosts["pdk1r01c001"].availability_zone == "az1"
    assert hosts["pdk1r01c001"].aggregates == ("fast",)
    assert datacenter.aggregates["fast"].ratios == {"ram_allocation_ratio": 1.0}
    assert not hosts["pdk1r02c001"].enabled               # disabled service
    assert (hosts["loner"].rack, hosts["loner"].enabled) == ("unracked:loner", False)
    assert "loner has no rack" in caplog.text
    placed = inventory(cloud(), Layout(Naming(), place_unracked=True))
    assert inventory_file.build(placed).hosts["loner"].enabled


def test_foreign_load_and_sticky_flavors():
    previous = {"flavors": {"old": {"vcpus": 2, "ram": 1, "disk": 1}}}
    document = with_foreign(inventory(cloud(), Layout(Naming()), previous=previous),
                            {"loner": {"vcpus": 2, "memory_mb": 1024, "disk_gb": 20.0004}})
    datacenter = inventory_file.build(document)
    assert datacenter.hosts["loner"].used == {"vcpus": 2, "memory_mb": 1024, "disk_gb": 20.0}
    assert set(datacenter.flavors) == {"m1", "old"}
    assert "used" not in with_foreign(document, {})["hosts"][0]
