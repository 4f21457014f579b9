"""Reconciliation with what Nova reports (ostro.daemon.reconcile): table-driven over
one placement each, plus foreign load and servers with Valet groups."""

import pytest

from ostro.daemon.reconcile import ActionKind, reconcile
from ostro.inventory.instance import Instance

SMALL = {"name": "small", "vcpus": 1, "ram": 1024, "disk": 10, "ephemeral": 0, "swap": 512}
HOSTS = {"h1", "h2"}
NOW = 1000.0


def placement(state="reserved", location="h1", resource_id="vm-1", orch_id="orch-1"):
    return {"orch_id": orch_id, "plan_id": "plan-1", "location": location, "state": state,
            "updated_at": 10.0, "resource_id": resource_id, "entry": None,
            "named_groups": []}


def server(host="h1", id="vm-1", groups=()):
    return Instance(id=id, name=id, host=host, flavor=SMALL, groups=tuple(groups))


def one(record, servers):
    outcome = reconcile({"plans": [], "placements": [record]},
                        {s.id: s for s in servers}, HOSTS, NOW)
    return outcome.data["placements"], outcome.foreign, outcome.actions


@pytest.mark.parametrize("record, servers, expected", [
    # the instance appears on its host: active
    (placement("reserved"), [server("h1")], {"state": "active", "location": "h1"}),
    (placement("planned"), [server("h1")], {"state": "active", "location": "h1"}),
    # it runs elsewhere (live migration, evacuation): the placement follows
    (placement("active"), [server("h2")], {"state": "active", "location": "h2"}),
    # not booted yet: left to its TTL
    (placement("reserved"), [], {"state": "reserved", "location": "h1"}),
    (placement("planned", resource_id=None), [], {"state": "planned", "location": "h1"}),
    # not scheduled yet (no host): unchanged
    (placement("reserved"), [server(None)], {"state": "reserved", "location": "h1"}),
    # gone: released
    (placement("active"), [], None),
    # on a host the data centre does not have: released
    (placement("active"), [server("elsewhere")], None),
    (placement("active", location="gone-host"), [], None),
    # its host is gone but the instance runs on a known one (evacuated): follow it
    (placement("active", location="gone-host"), [server("h1")],
     {"state": "active", "location": "h1"}),
])
def test_one_placement(record, servers, expected):
    kept, foreign, actions = one(record, servers)
    if expected is None:
        assert kept == [] and actions and actions[0].kind is ActionKind.RELEASED
    else:
        assert len(kept) == 1
        assert {key: kept[0][key] for key in expected} == expected
    assert foreign == {}          # a matched instance is never foreign load


def test_unchanged_records_are_the_same_objects_and_log_nothing():
    record = placement("active")
    kept, _, actions = one(record, [server("h1")])
    assert kept == [record] and kept[0] is record and actions == []


def test_instances_valet_did_not_place_are_load_on_their_hosts():
    servers = {s.id: s for s in [server("h1", "a"), server("h1", "b"), server("h2", "c"),
                                 server("unknown", "d")]}
    outcome = reconcile({"plans": [], "placements": []}, servers, HOSTS, NOW)
    assert outcome.foreign == {"h1": {"vcpus": 2, "memory_mb": 2048, "disk_gb": 21.0},
                               "h2": {"vcpus": 1, "memory_mb": 1024, "disk_gb": 10.5}}


def test_a_server_with_known_valet_groups_becomes_an_existing_placement():
    servers = {"vm-9": server("h2", "vm-9", groups=["apart"])}
    outcome = reconcile({"plans": [], "placements": []}, servers, HOSTS, NOW,
                        known_groups={"apart"}, known_flavors={"small"})
    [record] = outcome.data["placements"]
    assert (record["orch_id"], record["location"], record["state"], record["plan_id"]) == \
        ("vm-9", "h2", "active", None)
    assert record["entry"]["properties"]["metadata"] == {"valet": {"groups": ["apart"]}}
    assert outcome.foreign == {}
    # Run again on its own result: nothing changes (idempotent).
    again = reconcile(outcome.data, servers, HOSTS, NOW, known_groups={"apart"},
                      known_flavors={"small"})
    assert again.data == outcome.data and again.actions == []


def test_unknown_groups_or_flavor_only_count_as_load():
    servers = {"vm-9": server("h2", "vm-9", groups=["nope"])}
    outcome = reconcile({"plans": [], "placements": []}, servers, HOSTS, NOW,
                        known_groups={"apart"}, known_flavors={"small"})
    assert outcome.data["placements"] == [] and set(outcome.foreign) == {"h2"}


def planned(flavor):
    return {"id": "plan-1", "name": "p", "stack_id": "s", "project_id": None, "method": "",
            "resources": {"orch-1": {"type": "OS::Nova::Server", "name": "vm",
                                     "properties": {"flavor": flavor, "image": "cirros"}}}}


@pytest.mark.parametrize("known, expected", [
    (None, "small"),                # any flavor may be recorded
    ({"small", "tiny"}, "small"),   # a known one
    ({"tiny"}, "tiny"),             # an unknown one: the plan keeps what it knows
])
def test_a_plan_takes_the_flavor_its_instance_runs_with(known, expected):
    # A resize reverted (or confirmed) without Valet: Nova reports "small".
    plan = planned("tiny")
    outcome = reconcile({"plans": [plan], "placements": [placement("active")]},
                        {"vm-1": server("h1")}, HOSTS, NOW, known_flavors=known)
    resources = outcome.data["plans"][0]["resources"]["orch-1"]
    assert resources["properties"] == {"flavor": expected, "image": "cirros"}
    assert [a.kind for a in outcome.actions] == \
        ([ActionKind.RESIZED] if expected == "small" else [])
    assert plan["resources"]["orch-1"]["properties"]["flavor"] == "tiny"   # input unchanged


def test_a_plan_already_naming_the_flavor_is_left_alone():
    plan = planned("small")
    outcome = reconcile({"plans": [plan], "placements": [placement("active")]},
                        {"vm-1": server("h1")}, HOSTS, NOW)
    assert outcome.data["plans"] == [plan] and outcome.actions == []
