"""The engine's operations (DESIGN §2, §5 "Update, replan, migrate, ad hoc",
§6 lifecycle): plan, update, replan, migrate, ad hoc, reserve, release,
delete, expire, existing placements, and what a refusal leaves behind."""

import pytest

from ostro.errors import InvalidInput, NoPlacement, NotFound
from tests.unit.engine_fixtures import (
    assert_no_violations,
    assert_same_state,
    datacenter,
    engine,
    group,
    host_name,
    locations,
    orch_id,
    pipe,
    server,
    servers,
    snapshot,
    stack,
    volume,
)

R1H1, R1H2 = host_name("r1", 1), host_name("r1", 2)


def vcpus_used(subject, host):
    return subject.state.used[subject.compiled.index[host], 0]


# --- plan ----------------------------------------------------------------------------

def test_plan_is_idempotent_by_stack_id():
    subject = engine(datacenter())
    resources = stack(*servers("s", 2))
    first = subject.plan(resources, stack_id="stack-1")
    before = snapshot(subject)

    again = subject.plan(resources, stack_id="stack-1")
    assert again is first
    assert len(subject.plans) == 1
    assert_same_state(before, snapshot(subject))
    assert subject.state.used[:, 0].sum() == 2

    other = subject.plan(stack(*servers("t", 2)), stack_id="stack-2")
    assert other is not first
    assert subject.state.used[:, 0].sum() == 4


def test_same_resource_in_two_plans_is_invalid():
    subject = engine(datacenter())
    subject.plan(stack(server("a")), stack_id="one")
    with pytest.raises(InvalidInput, match=r"resource orch-a is already placed by plan"):
        subject.plan(stack(server("a")), stack_id="two")


def test_existing_resource_cannot_be_planned_again():
    subject = engine(datacenter())
    orch, entry = server("old")
    subject.add_existing(orch, entry, R1H1)
    with pytest.raises(InvalidInput, match=r"resource orch-old is already placed"):
        subject.plan(stack(server("old")), stack_id="one")


def test_failed_plan_leaves_state_untouched():
    subject = engine(datacenter())
    kept = subject.plan(stack(*servers("s", 3)), stack_id="kept")
    before = snapshot(subject)
    placements_before = dict(subject.placements)

    too_big = stack(*servers("big", 9, "large"))     # eight hosts, nine whole-host servers
    with pytest.raises(NoPlacement):
        subject.plan(too_big, stack_id="failed")

    assert_same_state(before, snapshot(subject))
    assert subject.placements == placements_before
    assert subject.find_plan("failed") is None
    assert list(subject.plans.values()) == [kept]


# --- update --------------------------------------------------------------------------

def test_update_keeps_unchanged_server_where_it_is():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a")), stack_id="app")
    assert locations(plan)["a"] == R1H1
    # Another stack fills a's host; a fresh plan of {a, c} would now put both
    # on one empty host, so keeping a where it is must be deliberate.
    filler = subject.plan(stack(server("x", "three")), stack_id="filler")
    assert locations(filler)["x"] == R1H1

    updated = subject.update(plan.id, stack(server("a"), server("c")))
    assert updated is plan
    assert locations(plan)["a"] == R1H1
    assert locations(plan)["c"] != R1H1
    assert vcpus_used(subject, R1H1) == 4
    assert_no_violations(subject)


def test_update_replaces_resized_server():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a"), server("b")), stack_id="app")
    assert set(locations(plan).values()) == {R1H1}
    subject.plan(stack(server("x", "half")), stack_id="filler")    # R1H1 is now full
    assert vcpus_used(subject, R1H1) == 4

    subject.update(plan.id, stack(server("a"), server("b", "half")))
    where = locations(plan)
    assert where["a"] == R1H1
    assert where["b"] != R1H1                # 1 + 2 + 2 vCPU would not fit
    assert vcpus_used(subject, R1H1) == 3    # a and x
    assert vcpus_used(subject, where["b"]) == 2
    assert plan.placements[orch_id("b")].resource.flavor == "half"
    assert_no_violations(subject)


def test_update_moves_a_resized_server_off_a_kept_servers_host():
    subject = engine(datacenter(), exact_max_resources=0)
    plan = subject.plan(stack(server("a", "half"), server("b", "half")), stack_id="app")
    assert set(locations(plan).values()) == {R1H1}

    subject.update(plan.id, stack(server("a", "half"), server("b", "three")))
    where = locations(plan)
    assert where["a"] == R1H1
    assert where["b"] != R1H1                # 2 + 3 vCPU would not fit on 4
    assert vcpus_used(subject, R1H1) == 2
    assert_no_violations(subject)


def test_update_places_new_server():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a")), stack_id="app")
    subject.update(plan.id, stack(server("a"), server("new", "half")))
    assert set(locations(plan)) == {"a", "new"}
    assert orch_id("new") in subject.placements
    assert subject.state.used[:, 0].sum() == 3


def test_update_drops_removed_server_and_frees_its_capacity():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc)
    plan = subject.plan(stack(server("a", "large"), server("d", "large")), stack_id="app")
    freed = locations(plan)["d"]
    with pytest.raises(NoPlacement):
        subject.plan(stack(server("later", "large")), stack_id="later")

    subject.update(plan.id, stack(server("a", "large")))
    assert set(locations(plan)) == {"a"}
    assert orch_id("d") not in subject.placements

    later = subject.plan(stack(server("later", "large")), stack_id="later")
    assert locations(later)["later"] == freed


def test_update_refuses_kept_servers_that_break_a_new_rule():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a"), server("b")), stack_id="app")
    assert len(set(locations(plan).values())) == 1
    before = snapshot(subject)
    resources_before = dict(plan.resources)

    with pytest.raises(NoPlacement) as caught:
        subject.update(plan.id, stack(server("a"), server("b"),
                                      group("apart", "diversity", "host", ["a", "b"])))
    assert caught.value.rule == "diversity(host)"
    assert caught.value.group == "apart"
    # The refused update changed nothing.
    assert_same_state(before, snapshot(subject))
    assert plan.resources == resources_before
    assert set(locations(plan)) == {"a", "b"}


def test_update_adds_a_server_to_a_group_of_kept_servers():
    subject = engine(datacenter())
    members = ["s1", "s2"]
    plan = subject.plan(stack(*servers("s", 2), group("apart", "diversity", "host", members)),
                        stack_id="app")
    kept = locations(plan)
    subject.update(plan.id, stack(*servers("s", 3),
                                  group("apart", "diversity", "host", members + ["s3"])))
    where = locations(plan)
    assert {name: where[name] for name in members} == kept
    assert where["s3"] not in kept.values()


# --- replan and migrate --------------------------------------------------------------

def test_replan_moves_one_server_within_given_hosts():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a"), server("b")), stack_id="app")
    target = host_name("r3", 2)
    placement = subject.replan(orch_id("a"), [target])
    assert placement.location == target
    assert locations(plan) == {"a": target, "b": R1H1}
    assert vcpus_used(subject, R1H1) == 1
    assert vcpus_used(subject, target) == 1


def test_replan_refused_by_a_rule_changes_nothing():
    subject = engine(datacenter())
    plan = subject.plan(stack(*servers("s", 2), group("apart", "diversity", "host",
                                                      ["s1", "s2"])), stack_id="app")
    where = locations(plan)
    before = snapshot(subject)
    with pytest.raises(NoPlacement) as caught:
        subject.replan(orch_id("s2"), [where["s1"]])
    assert caught.value.rule == "diversity(host)"
    assert caught.value.resource == "s2"
    assert locations(plan) == where
    assert_same_state(before, snapshot(subject))


def test_migrate_leaves_current_and_excluded_hosts():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a")), stack_id="app")
    assert locations(plan)["a"] == R1H1
    moved = subject.migrate(plan.id, orch_id("a"), excluded_hosts=[R1H2])
    assert moved.location not in (R1H1, R1H2)
    assert vcpus_used(subject, R1H1) == 0
    assert vcpus_used(subject, moved.location) == 1


def test_migrate_finds_server_by_nova_resource_id():
    subject = engine(datacenter())
    orch, entry = server("a")
    entry["resource_id"] = "nova-uuid-1"
    plan = subject.plan({orch: entry}, stack_id="app")
    moved = subject.migrate(plan.id, "nova-uuid-1")
    assert moved.orch_id == orch
    assert moved.location != R1H1


def test_migrate_with_nowhere_to_go_is_refused_and_keeps_the_server():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc)
    plan = subject.plan(stack(server("a")), stack_id="app")
    before = snapshot(subject)
    with pytest.raises(NoPlacement) as caught:
        subject.migrate(plan.id, orch_id("a"), excluded_hosts=[R1H2])
    assert caught.value.rule == "excluded locations"
    assert locations(plan) == {"a": R1H1}
    assert_same_state(before, snapshot(subject))


def test_migrate_unknown_resource_is_not_found():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a")), stack_id="app")
    with pytest.raises(NotFound):
        subject.migrate(plan.id, "nobody")


# --- ad hoc --------------------------------------------------------------------------

def test_adhoc_server_joins_named_group():
    subject = engine(datacenter(), named_groups=[("g", "diversity", "host")])
    first = subject.plan(stack(server("a", groups=["g"])), stack_id="app")
    taken = locations(first)["a"]

    orch, entry = server("booted", groups=["g"])
    placement = subject.adhoc(orch, entry)
    assert placement.location != taken
    assert subject.adhoc(orch, entry) is placement     # asking again changes nothing

    plain_orch, plain = server("plain")
    assert subject.adhoc(plain_orch, plain).location == taken   # control: packs


def test_adhoc_within_locations_honours_named_group():
    subject = engine(datacenter(), named_groups=[("g", "diversity", "host")])
    subject.plan(stack(server("a", groups=["g"])), stack_id="app")
    orch, entry = server("booted", groups=["g"])
    with pytest.raises(NoPlacement) as caught:
        subject.adhoc(orch, entry, locations=[R1H1])
    assert caught.value.rule == "diversity(host)"
    assert caught.value.group == "g"
    assert orch not in subject.placements
    assert subject.adhoc(orch, entry, locations=[R1H1, R1H2]).location == R1H2


# --- reserve, release, delete, expire ------------------------------------------------

def test_reserve_keeps_planned_host_when_allowed():
    subject = engine(datacenter())
    subject.plan(stack(server("a")), stack_id="app")
    before = snapshot(subject)
    placement = subject.reserve(orch_id("a"), [R1H2, R1H1], resource_id="nova-1")
    assert placement.location == R1H1
    assert placement.state == "reserved"
    assert placement.resource.resource_id == "nova-1"
    assert_same_state(before, snapshot(subject))


def test_reserve_replans_within_list_when_planned_host_is_absent():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a"), server("b")), stack_id="app")
    allowed = [host_name("r2", 1), host_name("r2", 2)]
    placement = subject.reserve(orch_id("a"), allowed)
    assert placement.location in allowed
    assert placement.state == "reserved"
    assert locations(plan)["b"] == R1H1
    assert vcpus_used(subject, R1H1) == 1


def test_release_frees_capacity_and_is_idempotent():
    subject = engine(datacenter())
    plan = subject.plan(stack(server("a", "half"), server("b")), stack_id="app")
    host = locations(plan)["a"]
    assert vcpus_used(subject, host) == 3

    released = subject.release(orch_id("a"))
    assert released.name == "a"
    assert vcpus_used(subject, host) == 1
    assert set(locations(plan)) == {"b"}

    after_first = snapshot(subject)
    assert subject.release(orch_id("a")) is None
    assert_same_state(after_first, snapshot(subject))


def test_plan_reserve_release_is_an_exact_inverse():
    # Groups of every kind and a pipe across rack uplinks, so every part of
    # the state moves: usage, server counts, exclusive holds, uplink use.
    def edit(data):
        for rack in data["racks"].values():
            rack["uplink_mbps"] = 1000
    subject = engine(datacenter(edit))
    orch, entry = server("old")
    subject.add_existing(orch, entry, host_name("r4", 2))
    before = snapshot(subject)

    resources = stack(*servers("s", 4), server("solo", "half"),
                      group("apart", "diversity", "rack", ["s1", "s2"]),
                      group("pair", "affinity", "host", ["s3", "s4"]),
                      group("alone", "exclusivity", "host", ["solo"]),
                      pipe("p", "s1", "s2", 300))
    plan = subject.plan(resources, stack_id="app")
    assert subject.state.uplink_used["rack"].sum() == 600     # both ends' racks
    assert subject.state.exclusive["host"].sum() == 1
    for orch_id_ in list(plan.placements):
        subject.reserve(orch_id_, [plan.placements[orch_id_].location])
    for orch_id_ in list(plan.placements):
        subject.release(orch_id_)

    assert_same_state(before, snapshot(subject))
    assert set(subject.placements) == {orch}


def test_delete_plan_releases_everything():
    subject = engine(datacenter())
    other = subject.plan(stack(server("keep")), stack_id="other")
    before = snapshot(subject)
    plan = subject.plan(stack(*servers("s", 3), server("big", "large")), stack_id="app")
    subject.delete_plan(plan.id)
    assert_same_state(before, snapshot(subject))
    assert subject.find_plan("app") is None
    assert set(subject.placements) == {orch_id("keep")}
    assert set(locations(other)) == {"keep"}
    with pytest.raises(NotFound):
        subject.delete_plan(plan.id)


def test_expire_releases_stale_placements_by_state_ttl():
    subject = engine(datacenter(), planned_ttl=100, reserved_ttl=50)
    baseline = snapshot(subject)
    orch, entry = server("old")
    subject.add_existing(orch, entry, host_name("r4", 2))
    with_existing = snapshot(subject)
    subject.plan(stack(server("a"), server("b"), server("c")), stack_id="app")
    planned_at = subject.placements[orch_id("a")].updated_at
    reserved_at = subject.reserve(orch_id("b"), [R1H1]).updated_at

    assert subject.expire(now=reserved_at + 49) == []
    assert subject.expire(now=reserved_at + 51) == [orch_id("b")]
    assert set(subject.placements) == {orch, orch_id("a"), orch_id("c")}

    assert sorted(subject.expire(now=planned_at + 101)) == [orch_id("a"), orch_id("c")]
    assert_same_state(with_existing, snapshot(subject))
    # Active (existing) placements never expire.
    assert subject.expire(now=planned_at + 10 ** 9) == []
    assert set(subject.placements) == {orch}
    subject.release(orch)
    assert_same_state(baseline, snapshot(subject))


def test_failed_plan_can_be_retried_with_the_same_stack_id():
    dc = datacenter(clusters=1, racks_per_cluster=1, hosts_per_rack=2)
    subject = engine(dc)
    blocker = subject.plan(stack(*servers("b", 2, "large")), stack_id="blocker")
    with pytest.raises(NoPlacement):
        subject.plan(stack(server("a", "large")), stack_id="app")
    subject.delete_plan(blocker.id)
    plan = subject.plan(stack(server("a", "large")), stack_id="app")
    assert subject.find_plan("app") is plan
    assert set(locations(plan)) == {"a"}


# --- plans within given locations ----------------------------------------------------

def storage_datacenter():
    def edit(data):
        data["storage_backends"] = [{"name": "pool", "rack": "r1", "capacity_gb": 100}]
    return datacenter(edit)


def test_plan_within_locations_restricts_servers():
    subject = engine(storage_datacenter())
    allowed = [host_name("r3", 2)]
    plan = subject.plan(stack(*servers("s", 2)), stack_id="app", locations=allowed)
    assert set(locations(plan).values()) == set(allowed)


def test_plan_within_locations_still_places_volumes_on_backends():
    # ``locations`` lists hosts (what Nova allows); a volume of the same
    # stack goes to a storage backend, which is never in that list.
    subject = engine(storage_datacenter())
    resources = stack(server("s"), volume("v", 10))
    plan = subject.plan(resources, stack_id="app", locations=[host_name("r3", 2)])
    assert locations(plan) == {"s": host_name("r3", 2), "v": "pool"}


# --- existing placements -------------------------------------------------------------

@pytest.mark.parametrize("resource, location", [
    (server("s"), "pool"),           # a server on a storage backend
    (volume("v", 10), R1H1),         # a volume on a host
    (server("s"), "no-such-host"),
], ids=["server-on-backend", "volume-on-host", "unknown-location"])
def test_existing_placement_on_the_wrong_kind_of_location_is_invalid(resource, location):
    subject = engine(storage_datacenter())
    before = snapshot(subject)
    with pytest.raises(InvalidInput):
        subject.add_existing(*resource, location)
    assert_same_state(before, snapshot(subject))
    assert subject.placements == {}


def test_existing_placement_of_an_already_placed_resource_is_invalid():
    subject = engine(datacenter())
    subject.plan(stack(server("a")), stack_id="app")
    orch, entry = server("old")
    subject.add_existing(orch, entry, R1H2)
    before = snapshot(subject)
    for taken in (orch, orch_id("a")):
        with pytest.raises(InvalidInput):
            subject.add_existing(taken, entry, host_name("r2", 1))
    assert_same_state(before, snapshot(subject))
    assert subject.placements[orch_id("a")].location == R1H1


# --- the engine as a cache of the store ---------------------------------------------

def test_restored_engine_decides_like_the_original():
    from ostro.replica import records

    dc = datacenter()
    original = engine(dc)
    plan = original.plan(stack(*servers("s", 3, "half"),
                               group("spread", "diversity", "rack", ["s1", "s2"])),
                         stack_id="first")
    original.reserve(orch_id("s1"), [locations(plan)["s1"]])
    original.add_existing("old", server("old", "three")[1], R1H2)
    restored = records.load(dc, records.dump(original), original.settings)

    assert records.dump(restored) == records.dump(original)
    after = [subject.plan(stack(*servers("n", 3, "half")), stack_id="second")
             for subject in (original, restored)]
    assert locations(after[0]) == locations(after[1])
    assert restored.placements[orch_id("s1")].state == "reserved"


def test_moving_one_server_keeps_its_siblings_reservations():
    subject = engine(datacenter())
    plan = subject.plan(stack(*servers("s", 2, "half")), stack_id="app")
    subject.reserve(orch_id("s1"), [locations(plan)["s1"]], resource_id="nova-uuid-1")
    stamp = plan.placements[orch_id("s1")].updated_at

    subject.migrate(plan.id, orch_id("s2"))
    kept = plan.placements[orch_id("s1")]
    assert (kept.state, kept.updated_at, kept.resource.resource_id) == \
        ("reserved", stamp, "nova-uuid-1")
    assert plan.placements[orch_id("s2")].state == "planned"
