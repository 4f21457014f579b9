"""``valet-sim place``: the engine's command-line contract (DESIGN §9)."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from ostro.cmd import sim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, "etc", "valet", "inventory.yaml")
STACK = os.path.join(ROOT, "etc", "valet", "examples", "stack.json")
GROUPS = os.path.join(ROOT, "etc", "valet", "examples", "groups.yaml")

SMALL_INVENTORY = {
    "flavors": {"small": {"vcpus": 2, "ram": 2048, "disk": 10}},
    "racks": {"r1": {"cluster": "c1"}, "r2": {"cluster": "c1"}},
    "hosts": [{"name": f"{rack}h{i}", "rack": rack, "vcpus": 4, "memory_mb": 4096,
               "disk_gb": 100} for rack in ("r1", "r2") for i in (1, 2)],
    "defaults": {"cpu_allocation_ratio": 1.0, "ram_allocation_ratio": 1.0},
}


def server(name, groups=()):
    entry = {"type": "OS::Nova::Server", "name": name, "properties": {"flavor": "small"}}
    if groups:
        entry["properties"]["metadata"] = {"valet": {"groups": list(groups)}}
    return entry


def run(capsys, *args):
    code = sim.main(["place", *args])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
        return str(path)
    return write


def test_sample_stack_places_every_server_and_volume(capsys):
    code, out = run(capsys, "--inventory", INVENTORY, "--resources", STACK, "--groups", GROUPS)
    assert code == 0
    with open(STACK, encoding="utf-8") as stream:
        resources = json.load(stream)
    placed = {orch for orch, entry in resources.items()
              if entry["type"] in ("OS::Nova::Server", "OS::Cinder::Volume")}
    assert set(out["placements"]) == placed
    for orch, placement in out["placements"].items():
        assert placement["name"] == resources[orch]["name"]
        assert placement["location"]


def test_no_placement_exits_2_naming_rule_group_and_resource(capsys, files):
    resources = {f"s{i}": server(f"s{i}") for i in range(3)}
    resources["g"] = {"type": "OS::Valet::GroupAssignment", "name": "spread",
                      "properties": {"group_type": "diversity", "level": "rack",
                                     "resources": ["s0", "s1", "s2"]}}
    code, out = run(capsys, "--inventory", files("dc.yaml", SMALL_INVENTORY),
                    "--resources", files("stack.json", resources))
    assert code == 2
    assert out["error"]["type"] == "NoPlacement"
    assert out["error"]["rule"] == "diversity(rack)"
    assert out["error"]["group"] == "spread"
    assert "left 0 of 2 racks" in out["error"]["message"]


@pytest.mark.parametrize("resources, fragment", [
    ({"a": {"type": "OS::Nova::Server", "name": "a", "properties": {"flavor": "huge"}}},
     "unknown flavor 'huge'"),
    ({"a": server("a", ["nope"])}, "unknown group 'nope'"),
    ({"a": server("a"), "b": server("b"),
      "x": {"type": "OS::Valet::GroupAssignment", "name": "x",
            "properties": {"group_type": "affinity", "level": "host", "resources": ["a", "b"]}},
      "y": {"type": "OS::Valet::GroupAssignment", "name": "y",
            "properties": {"group_type": "diversity", "level": "host", "resources": ["a", "b"]}}},
     "contradict"),
], ids=["flavor", "group", "contradiction"])
def test_invalid_stack_exits_1_with_the_reason(capsys, files, resources, fragment):
    code, out = run(capsys, "--inventory", files("dc.yaml", SMALL_INVENTORY),
                    "--resources", files("stack.json", resources))
    assert code == 1
    assert fragment in out["error"]["message"]


def test_bad_inventory_exits_1_naming_file_entry_and_key(capsys, files):
    broken = dict(SMALL_INVENTORY, hosts=[dict(SMALL_INVENTORY["hosts"][0], cpus=4)])
    path = files("dc.yaml", broken)
    code, out = run(capsys, "--inventory", path, "--resources",
                    files("stack.json", {"a": server("a")}))
    assert code == 1
    assert path in out["error"]["message"]
    assert "hosts[0]" in out["error"]["message"] and "cpus" in out["error"]["message"]


def test_missing_file_exits_1(capsys, files):
    code, out = run(capsys, "--inventory", files("dc.yaml", SMALL_INVENTORY),
                    "--resources", "/nonexistent/stack.json")
    assert code == 1
    assert "/nonexistent/stack.json" in out["error"]["message"]


def test_existing_placements_consume_capacity_and_join_named_groups(capsys, files):
    groups = files("groups.yaml", [{"name": "anti", "type": "diversity", "level": "host"}])
    existing = {"old-1": {"location": "r1h1", "resource": server("old-1", ["anti"])},
                "old-2": {"location": "r1h2", "resource": server("old-2")}}
    resources = {"new": server("new", ["anti"])}
    code, out = run(capsys, "--inventory", files("dc.yaml", SMALL_INVENTORY),
                    "--resources", files("stack.json", resources), "--groups", groups,
                    "--existing", files("existing.json", existing))
    assert code == 0
    # r1h1 holds a member of "anti"; packing would prefer the occupied hosts of r1.
    assert out["placements"]["new"]["location"] == "r1h2"


def test_empty_plan_is_accepted(capsys, files):
    code, out = run(capsys, "--inventory", files("dc.yaml", SMALL_INVENTORY),
                    "--resources", files("stack.json", {}))
    assert (code, out) == (0, {"placements": {}})


def test_console_script_is_installed():
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "valet-sim"),
                             "place", "--inventory", INVENTORY, "--resources", STACK,
                             "--groups", GROUPS], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "placements" in json.loads(result.stdout)
