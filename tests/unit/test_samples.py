"""The sample data under etc/valet/ (used by `make run` and the docs) stays valid."""

import collections
import json
import pathlib

import pytest
import yaml

from ostro.inventory import file as inventory
from ostro.model.topology import NamedGroup
from ostro.parse.resources import parse

ETC = pathlib.Path(__file__).resolve().parents[2] / "etc" / "valet"


@pytest.fixture(scope="module")
def datacenter():
    return inventory.load(ETC / "inventory.yaml")


@pytest.fixture(scope="module")
def named_groups():
    entries = yaml.safe_load((ETC / "examples" / "groups.yaml").read_text(encoding="utf-8"))
    groups = [NamedGroup(name=entry["name"], kind=entry["type"], level=entry["level"],
                         members=tuple(entry.get("members", []))) for entry in entries]
    return {group.name: group for group in groups}


@pytest.fixture(scope="module")
def stack(datacenter, named_groups):
    resources = json.loads((ETC / "examples" / "stack.json").read_text(encoding="utf-8"))
    return parse(resources, datacenter, named_groups)


def test_inventory_has_two_clusters_of_four_racks_of_eight_hosts(datacenter):
    assert len(datacenter.clusters) >= 2
    racks_per_cluster = collections.Counter(rack.parent for rack in datacenter.racks.values())
    assert set(racks_per_cluster) == set(datacenter.clusters)
    assert all(count >= 4 for count in racks_per_cluster.values())
    hosts_per_rack = collections.Counter(host.rack for host in datacenter.hosts.values())
    assert set(hosts_per_rack) == set(datacenter.racks)
    assert all(count >= 8 for count in hosts_per_rack.values())


def test_inventory_has_aggregates_backends_and_special_hosts(datacenter):
    assert len(datacenter.aggregates) == 2
    assert datacenter.aggregates["ssd"].metadata == {"ssd": "true"}
    assert datacenter.aggregates["ssd"].ratios
    assert {backend.cluster for backend in datacenter.backends.values()} == \
        set(datacenter.clusters)
    assert all(backend.volume_types for backend in datacenter.backends.values())
    assert any(not host.enabled for host in datacenter.hosts.values())
    assert any(host.has_foreign_load for host in datacenter.hosts.values())
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"} <= \
        set(datacenter.flavors)
    assert any(key.startswith("aggregate_instance_extra_specs:")
               for flavor in datacenter.flavors.values() for key in flavor.extra_specs)


def test_groups_file_holds_ha_pair(named_groups):
    ha_pair = named_groups["ha-pair"]
    assert (ha_pair.kind, ha_pair.level) == ("diversity", "host")


def by_name(stack, name):
    return next(key for key, group in stack.groups.items() if group.name == name)


def resource_names(stack, keys):
    return sorted(stack.resources[key].name for key in keys)


def test_example_stack_parses(stack):
    assert sorted(server.name for server in stack.servers()) == \
        ["app1", "app2", "db1", "db2", "db3", "web1", "web2"]
    assert sorted(volume.name for volume in stack.volumes()) == \
        ["db1-data", "db2-data", "db3-data"]
    assert len(stack.pipes) >= 1


@pytest.mark.parametrize("group, label, members", [
    ("web-spread", "diversity(host)", ["web1", "web2"]),
    ("db-spread", "diversity(rack)", ["db1", "db2", "db3"]),
    ("app-together", "affinity(rack)", ["app1", "app2"]),
    ("ha-pair", "diversity(host)", ["web1"]),
])
def test_example_stack_groups(stack, group, label, members):
    key = by_name(stack, group)
    assert stack.groups[key].label == label
    assert resource_names(stack, stack.leaves(key)) == members


def test_example_stack_fits_the_sample_flavors(stack, datacenter):
    assert {server.flavor for server in stack.servers()} <= set(datacenter.flavors)
    volume_types = {kind for backend in datacenter.backends.values()
                    for kind in backend.volume_types}
    assert {volume.volume_type for volume in stack.volumes()} <= volume_types
