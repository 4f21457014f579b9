"""Random benchmark stacks: they parse, have the asked-for counts, repeat by seed."""

import pytest

from ostro.inventory.generated import generate
from ostro.parse.resources import parse
from tests.support import stacks


@pytest.fixture(scope="module")
def datacenter():
    return generate()


def _of_type(stack, heat_type):
    return [entry for entry in stack.values() if entry["type"] == heat_type]


@pytest.mark.parametrize("rules", sorted(stacks.RULE_MIXES))
@pytest.mark.parametrize("seed", range(20))
def test_every_stack_parses_with_its_counts(datacenter, rules, seed):
    servers, volumes, pipes = 5 + seed * 3, seed % 4, seed % 7
    resources = stacks.random_stack(servers, seed, rules=rules, pipes=pipes, volumes=volumes)
    topology = parse(resources, datacenter)
    assert len(topology.servers()) == servers
    assert len(topology.volumes()) == volumes
    assert len(topology.pipes) == pipes


def test_same_seed_same_stack():
    first = stacks.random_stack(40, 11, pipes=5, volumes=3)
    assert first == stacks.random_stack(40, 11, pipes=5, volumes=3)
    assert first != stacks.random_stack(40, 12, pipes=5, volumes=3)


def test_no_rules_means_no_groups(datacenter):
    topology = parse(stacks.random_stack(30, 1, rules="none"), datacenter)
    assert topology.groups == {}


@pytest.mark.parametrize("seed", range(10))
def test_host_rack_stack_uses_only_its_rules(datacenter, seed):
    topology = parse(stacks.host_rack_stack(50, seed), datacenter)
    labels = {group.label for group in topology.groups.values()}
    assert labels
    assert labels <= {"diversity(host)", "diversity(rack)", "affinity(rack)"}


@pytest.mark.parametrize("seed", range(10))
def test_mixed_stack_holds_a_nested_case(datacenter, seed):
    topology = parse(stacks.random_stack(20, seed), datacenter)
    nested = [(group, topology.groups[member]) for group in topology.groups.values()
              for member in group.members if member in topology.groups]
    assert nested
    assert {(outer.label, inner.label) for outer, inner in nested} \
        == {("affinity(rack)", "diversity(host)")}


def test_mixed_stacks_use_every_rule_kind(datacenter):
    labels = set()
    for seed in range(20):
        topology = parse(stacks.random_stack(40, seed), datacenter)
        labels |= {group.label for group in topology.groups.values()}
    assert labels == {"diversity(host)", "diversity(rack)", "affinity(rack)",
                      "affinity(host)", "exclusivity(host)"}


@pytest.mark.parametrize("seed", range(10))
def test_groups_stay_small_and_disjoint(datacenter, seed):
    topology = parse(stacks.random_stack(60, seed), datacenter)
    seen = set()
    for key, group in topology.groups.items():
        assert 1 <= len(topology.leaves(key)) <= 6
        direct = {member for member in group.members if member in topology.resources}
        assert not direct & seen, "a server sits directly in two groups"
        seen |= direct


def test_pipes_join_servers_and_volumes_alternately(datacenter):
    topology = parse(stacks.random_stack(10, 4, pipes=6, volumes=2), datacenter)
    kinds = [sorted(topology.resources[end].kind for end in pipe.ends)
             for pipe in topology.pipes]
    assert kinds == [["server", "volume"], ["server", "server"]] * 3


def test_pipe_and_volume_sizes_are_in_range():
    resources = stacks.random_stack(20, 5, pipes=30, volumes=30)
    assert all(100 <= pipe["properties"]["bandwidth"] <= 2000
               for pipe in _of_type(resources, "ATT::QoS::Pipe"))
    assert all(10 <= volume["properties"]["size"] <= 500
               for volume in _of_type(resources, "OS::Cinder::Volume"))


def test_flavors_argument_limits_the_mix():
    resources = stacks.random_stack(30, 2, flavors=["m1.tiny"])
    assert {entry["properties"]["flavor"]
            for entry in _of_type(resources, "OS::Nova::Server")} == {"m1.tiny"}


def test_one_server_with_a_volume_can_have_pipes(datacenter):
    topology = parse(stacks.random_stack(1, 0, pipes=2, volumes=1), datacenter)
    assert len(topology.pipes) == 2


@pytest.mark.parametrize("arguments", [{"rules": "chaos"}, {"servers": 1, "pipes": 1},
                                       {"servers": 0, "pipes": 1, "volumes": 2}])
def test_bad_arguments(arguments):
    arguments = {"servers": 5, "seed": 0, **arguments}
    with pytest.raises(ValueError):
        stacks.random_stack(**arguments)
