"""The synthetic data centre generator: shape, names, load, determinism, speed."""

import math
import re
import time

import pytest
import yaml

from ostro.config import EngineSettings
from ostro.inventory import file as inventory_file
from ostro.inventory import generated


def test_default_shape():
    datacenter = generated.generate()
    assert len(datacenter.clusters) == 2
    assert len(datacenter.racks) == 8
    assert len(datacenter.hosts) == 64
    assert len(datacenter.backends) == 2


@pytest.mark.parametrize("clusters,racks,hosts", [(1, 1, 1), (3, 2, 5), (2, 4, 8)])
def test_counts_follow_arguments(clusters, racks, hosts):
    datacenter = generated.generate(clusters=clusters, racks_per_cluster=racks,
                                    hosts_per_rack=hosts)
    assert len(datacenter.clusters) == clusters
    assert len(datacenter.racks) == clusters * racks
    assert len(datacenter.hosts) == clusters * racks * hosts


def test_names_nest_cluster_rack_host():
    datacenter = generated.generate(clusters=2, racks_per_cluster=3, hosts_per_rack=4)
    assert sorted(datacenter.clusters) == ["c01", "c02"]
    assert "c02r03" in datacenter.racks
    host = datacenter.hosts["c02r03h004"]
    assert (host.rack, host.cluster) == ("c02r03", "c02")
    for name, host in datacenter.hosts.items():
        assert re.fullmatch(r"c\d{2}r\d{2}h\d{3}", name)
        assert name.startswith(host.rack) and host.rack.startswith(host.cluster)
        assert datacenter.racks[host.rack].parent == host.cluster


def test_standard_flavors():
    flavors = generated.generate().flavors
    sizes = {name: (f.vcpus, f.ram, f.disk) for name, f in flavors.items()}
    assert sizes["m1.tiny"] == (1, 512, 1)
    assert sizes["m1.small"] == (1, 2048, 20)
    assert sizes["m1.medium"] == (2, 4096, 40)
    assert sizes["m1.large"] == (4, 8192, 80)
    assert sizes["m1.xlarge"] == (8, 16384, 160)
    assert flavors["ssd.large"].extra_specs == {"aggregate_instance_extra_specs:ssd": "true"}


def test_aggregates_cover_some_racks():
    datacenter = generated.generate()
    ssd = {host.rack for host in datacenter.hosts.values() if "ssd" in host.aggregates}
    dense = {host.rack for host in datacenter.hosts.values() if "dense" in host.aggregates}
    assert ssd == {"c01r01", "c01r03", "c02r01", "c02r03"}
    assert dense == {"c01r04", "c02r04"}
    assert datacenter.aggregates["ssd"].metadata == {"ssd": "true"}


def test_dense_aggregate_lowers_cpu_ratio():
    datacenter = generated.generate()
    dense = datacenter.hosts["c01r04h001"]
    plain = datacenter.hosts["c01r02h001"]
    assert datacenter.ratio(dense, "cpu_allocation_ratio", 99) == generated.DENSE_CPU_RATIO
    assert datacenter.ratio(plain, "cpu_allocation_ratio", 99) == 16.0


def test_without_aggregates():
    datacenter = generated.generate(aggregates=False)
    assert datacenter.aggregates == {}
    assert all(host.aggregates == () for host in datacenter.hosts.values())


def test_uplinks():
    datacenter = generated.generate()
    assert datacenter.uplink("host", "c01r01h001") == 10000
    assert datacenter.uplink("rack", "c01r01") == 40000
    assert datacenter.uplink("cluster", "c01") == 160000
    unlimited = generated.generate(uplinks=False)
    assert unlimited.uplink("host", "c01r01h001") == math.inf
    assert unlimited.uplink("rack", "c01r01") == math.inf
    assert unlimited.uplink("cluster", "c01") == math.inf


def test_backends_per_cluster_and_optionally_per_rack():
    cluster_only = generated.generate(backends=True).backends
    assert {(b.cluster, b.rack) for b in cluster_only.values()} == {("c01", None), ("c02", None)}
    with_racks = generated.generate(backends="rack").backends
    assert len(with_racks) == 2 + 8
    rack_pool = with_racks["cinder@c02r03#pool"]
    assert (rack_pool.rack, rack_pool.cluster) == ("c02r03", "c02")
    assert generated.generate(backends=False).backends == {}


def test_host_shapes_cycle_over_racks():
    shapes = [{"vcpus": 8, "memory_mb": 16384, "disk_gb": 100},
              {"vcpus": 16, "memory_mb": 32768, "disk_gb": 200},
              {"vcpus": 24, "memory_mb": 65536, "disk_gb": 300}]
    datacenter = generated.generate(clusters=1, racks_per_cluster=4, host_shapes=shapes)
    assert [datacenter.hosts[f"c01r0{r}h001"].vcpus for r in range(1, 5)] == [8, 16, 24, 8]


def test_no_load_means_no_foreign_load():
    datacenter = generated.generate()
    assert not any(host.has_foreign_load for host in datacenter.hosts.values())
    assert all(backend.used_gb == 0 for backend in datacenter.backends.values())


@pytest.mark.parametrize("load", [0.1, 0.5, 0.9, 1.0])
def test_load_never_exceeds_capacity(load):
    datacenter = generated.generate(clusters=4, racks_per_cluster=5, hosts_per_rack=10,
                                    load=load, seed=3, backends="rack")
    settings = EngineSettings()
    for host in datacenter.hosts.values():
        capacity = datacenter.capacity(host, settings)
        used = tuple(host.used.get(key, 0) for key in ("vcpus", "memory_mb", "disk_gb"))
        assert all(0 <= amount <= limit for amount, limit in zip(used, capacity, strict=True))
    for backend in datacenter.backends.values():
        assert 0 <= backend.used_gb <= backend.capacity_gb


@pytest.mark.parametrize("load", [0.2, 0.5, 0.8])
def test_load_is_the_mean_used_fraction(load):
    datacenter = generated.generate(clusters=4, racks_per_cluster=10, hosts_per_rack=25,
                                    load=load)
    settings = EngineSettings()
    fractions = [host.used.get("memory_mb", 0) / datacenter.capacity(host, settings)[1]
                 for host in datacenter.hosts.values()]
    assert sum(fractions) / len(fractions) == pytest.approx(load, abs=0.03)


def test_some_hosts_stay_idle_under_load():
    datacenter = generated.generate(clusters=2, racks_per_cluster=5, hosts_per_rack=20, load=0.6)
    idle = [host for host in datacenter.hosts.values() if not host.has_foreign_load]
    assert 0 < len(idle) < len(datacenter.hosts) / 2


def test_same_seed_same_datacenter():
    first = generated.generate_dict(load=0.5, seed=7, backends="rack")
    assert first == generated.generate_dict(load=0.5, seed=7, backends="rack")
    assert first != generated.generate_dict(load=0.5, seed=8, backends="rack")


def test_dict_round_trips_through_yaml(tmp_path):
    data = generated.generate_dict(load=0.3, seed=2, backends="rack")
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    from_file = inventory_file.load(str(path))
    built = generated.generate(load=0.3, seed=2, backends="rack")
    assert from_file.hosts == built.hosts
    assert from_file.backends == built.backends
    assert from_file.aggregates == built.aggregates


def test_ten_thousand_hosts_build_quickly():
    start = time.perf_counter()
    datacenter = generated.generate(clusters=10, racks_per_cluster=25, hosts_per_rack=40,
                                    load=0.5)
    elapsed = time.perf_counter() - start
    assert len(datacenter.hosts) == 10000
    assert elapsed < 2.0, f"10,000 hosts took {elapsed:.2f} s"


@pytest.mark.parametrize("arguments", [{"load": -0.1}, {"load": 1.5}, {"backends": "pods"}])
def test_bad_arguments(arguments):
    with pytest.raises(ValueError):
        generated.generate(**arguments)
