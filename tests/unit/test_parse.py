"""The stack parser: Heat resources (a plan's ``resources``) -> a Stack, or a
TopologyError that names the resource and the groups at fault."""

import json

import pytest

from ostro.errors import TopologyError
from ostro.inventory import file as inventory
from ostro.model.topology import Group, NamedGroup, Pipe, Volume
from ostro.parse.resources import parse

DATACENTER = inventory.loads("""
racks: {r1: {cluster: c1}}
hosts: [{name: h1, rack: r1, vcpus: 8, memory_mb: 8192, disk_gb: 100}]
flavors:
  m1.small: {id: 2, vcpus: 1, ram: 2048, disk: 20, ephemeral: 5, swap: 1536}
  m1.ssd: {id: ssd-1, vcpus: 4, ram: 8192, disk: 40,
           extra_specs: {"aggregate_instance_extra_specs:ssd": "true"}}
  m1.ha: {vcpus: 1, ram: 1024, disk: 10, extra_specs: {valet: "ha-pair"}}
  m1.ha-json: {vcpus: 1, ram: 1024, disk: 10, extra_specs: {valet: {groups: [uuid-ha]}}}
""", source="test-inventory")

HA_PAIR = NamedGroup(name="ha-pair", kind="diversity", level="host", id="uuid-ha")
PRIVATE = NamedGroup(name="private", kind="affinity", level="rack", id="uuid-private",
                     members=("p1", "p2"))
NAMED = {group.name: group for group in (HA_PAIR, PRIVATE)} | \
    {group.id: group for group in (HA_PAIR, PRIVATE)}


def server(name, flavor="m1.small", hints=None, **properties):
    """A server; ``hints`` is the entry's own ``metadata`` (beside ``properties``)."""
    entry = {"type": "OS::Nova::Server", "name": name,
             "properties": {"flavor": flavor, "image": "cirros", **properties}}
    if hints is not None:
        entry["metadata"] = hints
    return entry


def volume(name, size=10, **properties):
    return {"type": "OS::Cinder::Volume", "name": name,
            "properties": {"size": size, **properties}}


def assignment(resource_name, kind, level, members,
               heat_type="OS::Valet::GroupAssignment", **properties):
    return {"type": heat_type, "name": resource_name,
            "properties": {"group_type": kind, "level": level, "resources": members,
                           **properties}}


def qos_group(resource_name, relationship, level, members,
              heat_type="ATT::QoS::ResourceGroup", **properties):
    return {"type": heat_type, "name": resource_name,
            "properties": {"relationship": relationship, "level": level,
                           "resources": members, **properties}}


def pipe(name, ends, bandwidth, heat_type="ATT::QoS::Pipe", **properties):
    return {"type": heat_type, "name": name,
            "properties": {"resources": ends, "bandwidth": bandwidth, **properties}}


def servers(*names):
    """Servers keyed by orch id ``id-<name>``, so names and ids differ."""
    return {f"id-{name}": server(name) for name in names}


# --- servers -----------------------------------------------------------------

# (case, server entry, expected (vcpus, memory_mb, disk_gb, flavor, zone, extra_specs))
SERVERS = [
    ("flavor by name", server("web1"), (1, 2048, 27, "m1.small", None, {})),
    ("flavor by id", server("web1", flavor="2"), (1, 2048, 27, "m1.small", None, {})),
    ("flavor by integer id", server("web1", flavor=2), (1, 2048, 27, "m1.small", None, {})),
    ("flavor by string id", server("web1", flavor="ssd-1"),
     (4, 8192, 40, "m1.ssd", None, {"aggregate_instance_extra_specs:ssd": "true"})),
    ("availability zone", server("web1", availability_zone="az2"),
     (1, 2048, 27, "m1.small", "az2", {})),
    # root 20 + ephemeral 5 + swap 1536 MB rounded up to 2 GB
    ("image boot counts root disk", server("web1", block_device_mapping_v2=[
        {"device_name": "vdb", "volume_id": "v1"}]), (1, 2048, 27, "m1.small", None, {})),
    ("boot from volume (v2)", {"type": "OS::Nova::Server", "name": "web1", "properties": {
        "flavor": "m1.small", "block_device_mapping_v2": [
            {"boot_index": 0, "volume_id": "v1"}]}}, (1, 2048, 7, "m1.small", None, {})),
    ("boot from volume (v1)", {"type": "OS::Nova::Server", "name": "web1", "properties": {
        "flavor": "m1.small", "block_device_mapping": [
            {"device_name": "vda", "volume_id": "v1"}]}}, (1, 2048, 7, "m1.small", None, {})),
    ("boot from volume, mapping not wrapped in a list", {
        "type": "OS::Nova::Server", "name": "web1", "properties": {
            "flavor": "m1.small", "block_device_mapping": [{"volume_id": "v1"}],
            "block_device_mapping_v2": {"boot_index": 0, "volume_id": "v2"}}},
     (1, 2048, 7, "m1.small", None, {})),
    ("no image and no mapping", {"type": "OS::Nova::Server", "name": "web1",
                                 "properties": {"flavor": "m1.small"}},
     (1, 2048, 27, "m1.small", None, {})),
]


@pytest.mark.parametrize("entry, expected", [pytest.param(*case[1:], id=case[0])
                                             for case in SERVERS])
def test_server(entry, expected):
    stack = parse({"orch-1": entry}, DATACENTER)
    parsed = stack.resources["orch-1"]
    assert (parsed.orch_id, parsed.name, parsed.kind) == ("orch-1", "web1", "server")
    assert (parsed.vcpus, parsed.memory_mb, parsed.disk_gb, parsed.flavor,
            parsed.availability_zone, parsed.extra_specs) == expected
    assert stack.servers() == [parsed]
    assert stack.volumes() == []


def test_server_keeps_resource_id_and_defaults_name_to_orch_id():
    entry = {"type": "OS::Nova::Server", "properties": {"flavor": "m1.small"},
             "resource_id": "uuid-1"}
    parsed = parse({"orch-1": entry}, DATACENTER).resources["orch-1"]
    assert (parsed.name, parsed.resource_id) == ("orch-1", "uuid-1")


# --- volumes -----------------------------------------------------------------

@pytest.mark.parametrize("properties, expected", [
    ({"size": 10}, Volume("orch-v", "data", 10)),
    ({"size": "25"}, Volume("orch-v", "data", 25)),
    ({"size": 1, "volume_type": "lvm", "availability_zone": "az1"},
     Volume("orch-v", "data", 1, volume_type="lvm", availability_zone="az1")),
])
def test_volume(properties, expected):
    stack = parse({"orch-v": {"type": "OS::Cinder::Volume", "name": "data",
                              "properties": properties}}, DATACENTER)
    assert stack.resources == {"orch-v": expected}
    assert stack.volumes() == [expected]
    assert expected.demand == (0, 0, 0, expected.size_gb)


# --- joining named groups ------------------------------------------------------

# (case, resources, project, expected named group key -> members)
JOINS = [
    ("properties.metadata dict", {"id-db1": server(
        "db1", metadata={"valet": {"groups": ["ha-pair"]}})}, None,
     {"named:ha-pair": ("id-db1",)}),
    ("properties.metadata JSON string", {"id-db1": server(
        "db1", metadata={"valet": json.dumps({"groups": ["ha-pair"]})})}, None,
     {"named:ha-pair": ("id-db1",)}),
    ("properties.metadata comma list", {"id-db1": server(
        "db1", metadata={"valet": "ha-pair, private"})}, "p1",
     {"named:ha-pair": ("id-db1",), "named:private": ("id-db1",)}),
    ("entry metadata", {"id-db1": server("db1", hints={"valet": {"groups": ["ha-pair"]}})},
     None, {"named:ha-pair": ("id-db1",)}),
    ("entry metadata and properties.metadata", {"id-db1": server(
        "db1", hints={"valet": {"groups": ["ha-pair"]}},
        metadata={"valet": {"groups": ["private"]}})}, "p1",
     {"named:private": ("id-db1",), "named:ha-pair": ("id-db1",)}),
    ("by id", {"id-db1": server("db1", metadata={"valet": {"groups": ["uuid-ha"]}})},
     None, {"named:ha-pair": ("id-db1",)}),
    ("by name and id at once", {"id-db1": server(
        "db1", metadata={"valet": {"groups": ["uuid-ha", "ha-pair"]}})}, None,
     {"named:ha-pair": ("id-db1",)}),
    ("flavor extra spec", {"id-db1": server("db1", flavor="m1.ha")}, None,
     {"named:ha-pair": ("id-db1",)}),
    ("flavor extra spec written as a YAML mapping",
     {"id-db1": server("db1", flavor="m1.ha-json")}, None, {"named:ha-pair": ("id-db1",)}),
    ("two servers", {"id-db1": server("db1", metadata={"valet": {"groups": ["ha-pair"]}}),
                     "id-db2": server("db2", flavor="m1.ha")}, None,
     {"named:ha-pair": ("id-db1", "id-db2")}),
    ("member project", {"id-db1": server("db1", metadata={"valet": {"groups": ["private"]}})},
     "p2", {"named:private": ("id-db1",)}),
    ("open group, any project", {"id-db1": server(
        "db1", metadata={"valet": {"groups": ["ha-pair"]}})}, "p9",
     {"named:ha-pair": ("id-db1",)}),
    ("no groups", {"id-db1": server("db1", metadata={"valet": {}})}, "p9", {}),
]


@pytest.mark.parametrize("resources, project, expected", [
    pytest.param(*case[1:], id=case[0]) for case in JOINS])
def test_servers_join_named_groups(resources, project, expected):
    stack = parse(resources, DATACENTER, NAMED, project)
    assert {key: group.members for key, group in stack.groups.items()} == expected
    for key in expected:
        named = NAMED[key.removeprefix("named:")]
        group = stack.groups[key]
        assert (group.name, group.kind, group.level, group.named) == \
            (named.name, named.kind, named.level, True)


# --- in-stack groups -----------------------------------------------------------

GROUP_TYPES = [
    ("OS::Valet::GroupAssignment", assignment, "group_name"),
    ("ATT::Valet::GroupAssignment", assignment, "group_name"),
    ("ATT::QoS::ResourceGroup", qos_group, "name"),
    ("ATT::CloudQoS::ResourceGroup", qos_group, "name"),
]


@pytest.mark.parametrize("heat_type, make, name_key", GROUP_TYPES,
                         ids=[case[0] for case in GROUP_TYPES])
@pytest.mark.parametrize("kind, level", [("affinity", "rack"), ("diversity", "host"),
                                         ("exclusivity", "cluster")])
def test_group_resource(heat_type, make, name_key, kind, level):
    resources = servers("web1", "web2", "web3")
    # members by name, by orchestration id and by get_resource
    resources["id-tier"] = make("tier", kind, level,
                                ["web1", "id-web2", {"get_resource": "web3"}],
                                heat_type=heat_type)
    stack = parse(resources, DATACENTER)
    assert stack.groups == {"id-tier": Group(key="id-tier", name="tier", kind=kind,
                                             level=level,
                                             members=("id-web1", "id-web2", "id-web3"))}
    assert stack.groups_of("id-web2") == [stack.groups["id-tier"]]


@pytest.mark.parametrize("heat_type, make, name_key", GROUP_TYPES,
                         ids=[case[0] for case in GROUP_TYPES])
def test_group_label_property_names_the_group(heat_type, make, name_key):
    resources = servers("web1")
    resources["id-tier"] = make("tier", "affinity", "host", ["web1"], heat_type=heat_type,
                                **{name_key: "web-tier"})
    assert parse(resources, DATACENTER).groups["id-tier"].name == "web-tier"


def test_group_may_hold_volumes_and_repeats_count_once():
    resources = {"id-db1": server("db1"), "id-data": volume("data"),
                 "id-pair": assignment("pair", "affinity", "rack",
                                       ["db1", "data", "id-db1"])}
    assert parse(resources, DATACENTER).groups["id-pair"].members == ("id-db1", "id-data")


def test_nested_groups_leaves_and_units():
    resources = servers("a", "b", "c", "d")
    resources["id-inner"] = assignment("inner", "affinity", "host", ["a", "b"])
    resources["id-middle"] = qos_group("middle", "affinity", "rack", ["inner", "c"])
    resources["id-outer"] = assignment("outer", "diversity", "cluster",
                                       [{"get_resource": "middle"}, "d"])
    stack = parse(resources, DATACENTER)
    assert stack.groups["id-outer"].members == ("id-middle", "id-d")
    assert sorted(stack.leaves("id-outer")) == ["id-a", "id-b", "id-c", "id-d"]
    assert sorted(stack.leaves("id-middle")) == ["id-a", "id-b", "id-c"]
    assert stack.units("id-outer") == {"id-a": "id-middle", "id-b": "id-middle",
                                       "id-c": "id-middle", "id-d": "id-d"}
    assert stack.units("id-middle") == {"id-a": "id-inner", "id-b": "id-inner",
                                        "id-c": "id-c"}
    assert [g.key for g in stack.groups_of("id-a")] == ["id-inner", "id-middle", "id-outer"]


# (case, resources) that hold together
VALID_GROUPINGS = [
    ("affinity(rack) and diversity(host) over the same servers", {
        **servers("a", "b"),
        "id-aff": assignment("aff", "affinity", "rack", ["a", "b"]),
        "id-div": assignment("div", "diversity", "host", ["a", "b"])}),
    ("affinity(cluster) and diversity(rack)", {
        **servers("a", "b"),
        "id-aff": assignment("aff", "affinity", "cluster", ["a", "b"]),
        "id-div": assignment("div", "diversity", "rack", ["a", "b"])}),
    ("diversity(host) over an affinity(host) group counts it as one", {
        **servers("a", "b", "c"),
        "id-pair": assignment("pair", "affinity", "host", ["a", "b"]),
        "id-div": assignment("div", "diversity", "host", ["pair", "c"])}),
    ("affinity and diversity sharing one server", {
        **servers("a", "b", "c"),
        "id-aff": assignment("aff", "affinity", "host", ["a", "b"]),
        "id-div": assignment("div", "diversity", "host", ["b", "c"])}),
    ("child level equal to its parent's", {
        **servers("a", "b", "c"),
        "id-inner": assignment("inner", "affinity", "rack", ["a", "b"]),
        "id-outer": assignment("outer", "diversity", "rack", ["inner", "c"])}),
    ("named diversity(host) beside in-stack affinity(rack)", {
        "id-a": server("a", hints={"valet": {"groups": ["ha-pair"]}}),
        "id-b": server("b", hints={"valet": {"groups": ["ha-pair"]}}),
        "id-aff": assignment("aff", "affinity", "rack", ["a", "b"])}),
]


@pytest.mark.parametrize("resources", [pytest.param(case[1], id=case[0])
                                       for case in VALID_GROUPINGS])
def test_groupings_that_hold_together(resources):
    stack = parse(resources, DATACENTER, NAMED)
    in_stack = {key for key, entry in resources.items()
                if entry["type"] == "OS::Valet::GroupAssignment"}
    assert in_stack <= set(stack.groups)
    assert all(stack.leaves(key) for key in stack.groups)


# --- pipes -----------------------------------------------------------------------

@pytest.mark.parametrize("heat_type", ["ATT::QoS::Pipe", "ATT::CloudQoS::Pipe"])
@pytest.mark.parametrize("ends, bandwidth, options, expected", [
    (["web1", "db1"], 100, {}, Pipe("id-p", "link", ("id-web1", "id-db1"), 100.0)),
    (["id-web1", {"get_resource": "data"}], "1 Gbps", {},
     Pipe("id-p", "link", ("id-web1", "id-data"), 1000.0)),
    (["web1", "db1"], "250", {"max_bandwidth": "2 Gbps"},
     Pipe("id-p", "link", ("id-web1", "id-db1"), 250.0, max_bandwidth=2000.0)),
    (["web1", "db1"], "500 Mbps", {"max_bandwidth": 800},
     Pipe("id-p", "link", ("id-web1", "id-db1"), 500.0, max_bandwidth=800.0)),
    (["web1", "db1"], 2.5, {}, Pipe("id-p", "link", ("id-web1", "id-db1"), 2.5)),
])
def test_pipe(heat_type, ends, bandwidth, options, expected):
    resources = {**servers("web1", "db1"), "id-data": volume("data"),
                 "id-p": pipe("link", ends, bandwidth, heat_type=heat_type, **options)}
    assert parse(resources, DATACENTER).pipes == [expected]


# --- ignored and empty -----------------------------------------------------------------

@pytest.mark.parametrize("resources, expected_resources", [
    ({}, []),
    ({"id-port": {"type": "OS::Neutron::Port", "name": "port",
                  "properties": {"network": "private"}}}, []),
    ({"id-group": {"type": "OS::Valet::Group", "name": "g",
                   "properties": {"type": "affinity", "level": "host"}},
      "id-net": {"type": "OS::Neutron::Net", "name": "net"},
      "id-web1": server("web1", networks=[{"port": {"get_resource": "port"}}])},
     ["id-web1"]),
    ({"id-untyped": {"name": "thing"}}, []),
])
def test_other_types_are_ignored(resources, expected_resources):
    stack = parse(resources, DATACENTER)
    assert list(stack.resources) == expected_resources
    assert (stack.groups, stack.pipes) == ({}, [])


# --- refusals ------------------------------------------------------------------------------

# (case, resources, project, message fragments, error.resource, error.groups)
ERRORS = [
    ("resources not an object", ["web1"], None, ["resources must be an object"], None, ()),
    ("entry not an object", {"id-web1": "web1"}, None,
     ["resource id-web1: expected an object"], "id-web1", ()),
    ("properties not an object", {"id-web1": {"type": "OS::Nova::Server", "name": "web1",
                                              "properties": ["m1.small"]}}, None,
     ["resource web1: properties must be an object"], "web1", ()),
    ("unknown flavor", {"id-web1": server("web1", flavor="m9.huge")}, None,
     ["server web1: unknown flavor 'm9.huge'"], "web1", ()),
    ("missing flavor", {"id-web1": server("web1", flavor=None)}, None,
     ["server web1: property flavor is required"], "web1", ()),
    ("unknown named group", {"id-web1": server(
        "web1", metadata={"valet": {"groups": ["nowhere"]}})}, None,
     ["server web1: unknown group 'nowhere'"], "web1", ("nowhere",)),
    ("project not a member", {"id-web1": server(
        "web1", metadata={"valet": {"groups": ["uuid-private"]}})}, "p3",
     ["server web1: project p3 is not a member of group private"], "web1", ("private",)),
    ("bad valet JSON", {"id-web1": server("web1", **{"metadata": {"valet": "{groups"}})},
     None, ["server web1: metadata.valet", "not valid JSON"], None, ()),
    ("valet groups not names", {"id-web1": server(
        "web1", metadata={"valet": {"groups": [1, 2]}})}, None,
     ["server web1: metadata.valet", "list of group names"], None, ()),
    ("metadata not an object", {"id-web1": server("web1", metadata=["valet"])}, None,
     ["server web1: metadata.valet", "metadata must be an object"], None, ()),
    ("volume size zero", {"id-v": volume("data", size=0)}, None,
     ["volume data: size must be a positive number of GB, got 0"], "data", ()),
    ("volume size negative", {"id-v": volume("data", size=-1)}, None,
     ["volume data: size", "got -1"], "data", ()),
    ("volume size not a number", {"id-v": volume("data", size="ten")}, None,
     ["volume data: size", "got 'ten'"], "data", ()),
    ("volume size fractional", {"id-v": volume("data", size=1.5)}, None,
     ["volume data: size", "got 1.5"], "data", ()),
    ("volume size boolean", {"id-v": volume("data", size=True)}, None,
     ["volume data: size", "got True"], "data", ()),
    ("volume size missing", {"id-v": volume("data", size=None)}, None,
     ["volume data: size", "got None"], "data", ()),
    ("bad group type", {**servers("a"), "id-g": assignment("g", "friends", "host", ["a"])},
     None, ["group g: group_type must be one of affinity, diversity, exclusivity, "
            "got 'friends'"], None, ("g",)),
    ("bad relationship", {**servers("a"), "id-g": qos_group("g", "anti", "host", ["a"])},
     None, ["group g: relationship must be one of"], None, ("g",)),
    ("bad level", {**servers("a"), "id-g": assignment("g", "affinity", "zone", ["a"])},
     None, ["group g: level must be one of host, rack, cluster, got 'zone'"], None, ("g",)),
    ("empty group", {**servers("a"), "id-g": assignment("g", "affinity", "host", [])},
     None, ["group g: resources must be a non-empty list"], None, ("g",)),
    ("group resources not a list", {**servers("a"), "id-g": qos_group(
        "g", "affinity", "host", "a")}, None, ["group g: resources must be a non-empty list"],
     None, ("g",)),
    ("unknown member", {**servers("a"), "id-g": assignment("g", "affinity", "host",
                                                           ["a", "ghost"])}, None,
     ["group g: member 'ghost' is not a server, volume or group of this stack"], "ghost",
     ("g",)),
    ("member that is a port", {**servers("a"), "id-port": {"type": "OS::Neutron::Port",
                                                           "name": "port"},
                               "id-g": assignment("g", "affinity", "host", ["a", "port"])},
     None, ["group g: member 'port' is not a server"], "port", ("g",)),
    ("unreadable member", {**servers("a"), "id-g": assignment("g", "affinity", "host",
                                                              [["a"]])}, None,
     ["group g: cannot read ['a'] as a resource reference"], None, ("g",)),
    ("unreadable pipe end", {**servers("a"), "id-p": pipe("p", ["a", {"x": 1, "y": 2}], 1)},
     None, ["pipe p: cannot read {'x': 1, 'y': 2} as a resource reference"], "p", ()),
    ("group lists itself", {**servers("a"), "id-g": assignment("g", "affinity", "host",
                                                               ["a", "g"])}, None,
     ["group g lists itself as a member"], None, ("g",)),
    ("child level above its parent's", {
        **servers("a", "b"),
        "id-inner": assignment("inner", "diversity", "rack", ["a", "b"]),
        "id-outer": assignment("outer", "affinity", "host", ["inner"])}, None,
     ["group inner (diversity(rack)) is nested in group outer (affinity(host))",
      "must not exceed"], None, ("inner", "outer")),
    ("nesting cycle", {
        **servers("a"),
        "id-g1": assignment("g1", "affinity", "rack", ["a", "g2"]),
        "id-g2": assignment("g2", "affinity", "rack", ["g3"]),
        "id-g3": assignment("g3", "affinity", "rack", ["g2"])}, None,
     ["groups nest in a cycle", "g2 -> g3 -> g2"], None, ("g1", "g2", "g3", "g2")),
    ("affinity(host) and diversity(host)", {
        **servers("web1", "web2"),
        "id-together": assignment("together", "affinity", "host", ["web1", "web2"]),
        "id-apart": assignment("apart", "diversity", "host", ["web1", "web2"])}, None,
     ["groups together (affinity(host)) and apart (diversity(host)) contradict each other "
      "over web1 and web2"], "web2", ("together", "apart")),
    ("affinity(host) and diversity(rack)", {
        **servers("web1", "web2"),
        "id-together": qos_group("together", "affinity", "host", ["web1", "web2"]),
        "id-apart": qos_group("apart", "diversity", "rack", ["web1", "web2"])}, None,
     ["groups together (affinity(host)) and apart (diversity(rack))", "web1 and web2"],
     "web2", ("together", "apart")),
    ("affinity(rack) and diversity(rack) through nesting", {
        **servers("a", "b", "c"),
        "id-inner": assignment("inner", "affinity", "host", ["a", "b"]),
        "id-together": assignment("together", "affinity", "rack", ["inner", "c"]),
        "id-apart": assignment("apart", "diversity", "rack", ["a", "c"])}, None,
     ["groups together (affinity(rack)) and apart (diversity(rack))", "over c and a"],
     "a", ("together", "apart")),
    ("named diversity(host) against in-stack affinity(host)", {
        "id-a": server("a", metadata={"valet": {"groups": ["ha-pair"]}}),
        "id-b": server("b", flavor="m1.ha"),
        "id-aff": assignment("aff", "affinity", "host", ["a", "b"])}, None,
     ["groups aff (affinity(host)) and ha-pair (diversity(host))", "a and b"], "b",
     ("aff", "ha-pair")),
    ("pipe with one end", {**servers("a"), "id-p": pipe("p", ["a"], 10)}, None,
     ["pipe p: resources must list exactly two members"], "p", ()),
    ("pipe with three ends", {**servers("a", "b", "c"), "id-p": pipe("p", ["a", "b", "c"],
                                                                     10)}, None,
     ["pipe p: resources must list exactly two members"], "p", ()),
    ("pipe to an unknown end", {**servers("a"), "id-p": pipe("p", ["a", "ghost"], 10)}, None,
     ["pipe p: end 'ghost' is not a server or volume of this stack"], "p", ()),
    ("pipe to a group", {**servers("a", "b"), "id-g": assignment("g", "affinity", "host",
                                                                 ["b"]),
                         "id-p": pipe("p", ["a", "g"], 10)}, None,
     ["pipe p: end 'g' is not a server or volume"], "p", ()),
    ("pipe to itself", {**servers("a"), "id-p": pipe("p", ["a", "id-a"], 10)}, None,
     ["pipe p: both ends are"], "p", ()),
    ("pipe bandwidth unreadable", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"],
                                                                     "fast")}, None,
     ["pipe p: cannot read bandwidth 'fast'"], None, ()),
    ("pipe bandwidth unit unknown", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"],
                                                                       "5 Tbps")}, None,
     ["pipe p: cannot read bandwidth '5 Tbps'"], None, ()),
    ("pipe bandwidth zero", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"], 0)}, None,
     ["pipe p: bandwidth must be positive, got 0"], None, ()),
    ("pipe bandwidth negative", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"], -5)},
     None, ["pipe p: bandwidth must be positive, got -5"], None, ()),
    ("pipe bandwidth negative text", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"],
                                                                        "-5")}, None,
     ["pipe p: cannot read bandwidth '-5'"], None, ()),
    ("pipe bandwidth boolean", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"], True)},
     None, ["pipe p: bandwidth must be a number, got True"], None, ()),
    ("pipe bandwidth missing", {**servers("a", "b"), "id-p": pipe("p", ["a", "b"], None)},
     None, ["pipe p: cannot read bandwidth None"], None, ()),
    ("pipe max bandwidth unreadable", {**servers("a", "b"), "id-p": pipe(
        "p", ["a", "b"], 10, max_bandwidth="lots")}, None,
     ["pipe p: cannot read bandwidth 'lots'"], None, ()),
]


@pytest.mark.parametrize("resources, project, fragments, resource, groups", [
    pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_refused_stacks(resources, project, fragments, resource, groups):
    with pytest.raises(TopologyError) as caught:
        parse(resources, DATACENTER, NAMED, project)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert caught.value.resource == resource
    assert caught.value.groups == groups


def test_named_group_unknown_when_none_are_given():
    with pytest.raises(TopologyError, match="server web1: unknown group 'ha-pair'"):
        parse({"id-web1": server("web1", flavor="m1.ha")}, DATACENTER)
