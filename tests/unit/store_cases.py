"""What every database behind :class:`ostro.state.store.Store` must do.

:class:`StoreCases` holds the tests; a test module subclasses it and gives an
``empty_url`` fixture (a new, empty database for each test):
``tests/unit/test_store.py`` on SQLite files, ``tests/postgres`` on a real
PostgreSQL server.  Real databases only, no mocks (DESIGN §11).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ostro.errors import Duplicate, InUse, InvalidInput, NotFound
from ostro.model.topology import NamedGroup
from ostro.replica import records
from ostro.state import database, migrate, models
from ostro.state.store import Conflict, Store
from tests.unit import store_writers
from tests.unit.engine_fixtures import (
    assert_same_state,
    datacenter,
    group,
    host_name,
    locations,
    orch_id,
    server,
    servers,
    stack,
)
from tests.unit.engine_fixtures import snapshot as search_state

EMPTY = {"plans": [], "placements": []}


def ordered(data):
    """A snapshot with plans and placements in a fixed order, to compare."""
    return {"plans": sorted(data["plans"], key=lambda plan: plan["id"]),
            "placements": sorted(data["placements"], key=lambda record: record["orch_id"])}


def existing_record(name, location=None):
    """A snapshot record of a placement made outside any plan."""
    return {"orch_id": orch_id(name), "plan_id": None,
            "location": location or host_name("r1", 1), "state": "active",
            "updated_at": 1700000000.125, "resource_id": None, "entry": server(name)[1],
            "named_groups": []}


def busy_engine(store, dc):
    """An engine with plans, a reservation and an existing server, whose
    named group comes from the store, and the generation it was loaded at."""
    store.create_group("web", "diversity", "host")
    data, generation = store.load()
    subject = records.load(dc, data, named_groups=store.list_groups())
    first = subject.plan(stack(*servers("s", 3, "half"),
                               group("spread", "diversity", "rack", ["s1", "s2"])),
                         stack_id="first", project_id="p1")
    subject.reserve(orch_id("s1"), [locations(first)["s1"]], resource_id="nova-uuid-1")
    subject.plan(stack(server("w1", groups=["web"]), server("w2", groups=["web"])),
                 stack_id="second")
    subject.add_existing("old", server("old", "three")[1], host_name("r1", 2))
    return subject, generation


class StoreCases:
    #: Concurrency: writer processes, and the saves each must get through.
    WRITERS, SAVES = 4, 10
    #: Threads saving at once from one generation.
    RACERS = 4

    @pytest.fixture
    def store(self, empty_url):
        migrate.upgrade(empty_url)
        subject = Store(empty_url)
        yield subject
        subject.close()

    # -- schema ---------------------------------------------------------------

    def test_upgrade_creates_the_schema_once(self, empty_url):
        assert migrate.current(empty_url) is None
        assert migrate.upgrade(empty_url) == migrate.head() == "0006"
        assert migrate.upgrade(empty_url) == "0006"
        store = Store(empty_url)
        try:
            assert store.load() == (EMPTY, 0)
        finally:
            store.close()

    def test_migrations_create_what_the_models_declare(self, store):
        with store.db.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection),
                                           models.Base.metadata)
        assert differences == []

    # -- the engine's state ---------------------------------------------------

    def test_saved_engine_loads_as_the_same_engine(self, store):
        dc = datacenter()
        original, seen = busy_engine(store, dc)
        dumped = records.dump(original)

        assert store.save(dumped, seen) == seen + 1
        data, generation = store.load()
        restored = records.load(dc, data, original.settings, store.list_groups())

        assert generation == seen + 1
        assert ordered(data) == ordered(dumped)
        assert ordered(records.dump(restored)) == ordered(dumped)
        assert restored.placements[orch_id("s1")].resource.resource_id == "nova-uuid-1"
        assert_same_state(search_state(original), search_state(restored))
        # NOTE: a stack the heuristic settles; the exact solver may pick
        # another of several equally good answers from run to run.
        after = [subject.plan(stack(*servers("n", 3, "half")), stack_id="third")
                 for subject in (original, restored)]
        assert locations(after[0]) == locations(after[1])

    def test_save_replaces_the_whole_state(self, store):
        # NOTE: placements are keyed by orchestration id since revision 0004,
        # so a kept placement keeps its key by construction (no row id to keep).
        dc = datacenter()
        subject, seen = busy_engine(store, dc)
        generation = store.save(records.dump(subject), seen)
        subject.delete_plan("second")
        subject.release("old")
        subject.reserve(orch_id("s2"), [], resource_id="nova-uuid-2")
        subject.plan(stack(server("x")), stack_id="fourth")
        dumped = records.dump(subject)

        store.save(dumped, generation)

        assert ordered(store.load()[0]) == ordered(dumped)

    def test_second_save_from_the_same_generation_conflicts(self, store):
        first = {"plans": [], "placements": [existing_record("a")]}
        second = {"plans": [], "placements": [existing_record("b")]}
        assert store.save(first, 0) == 1

        with pytest.raises(Conflict) as refused:
            store.save(second, 0)
        assert (refused.value.seen, refused.value.current) == (0, 1)
        assert store.load() == (first, 1)
        with pytest.raises(Conflict):
            store.save(second, 5)      # a generation the store never had
        assert store.load() == (first, 1)

    def test_snapshot_the_schema_refuses_is_invalid_and_writes_nothing(self, store):
        orphan = {**existing_record("a"), "plan_id": "no-such-plan"}
        with pytest.raises(InvalidInput):
            store.save({"plans": [], "placements": [orphan]}, 0)
        assert store.load() == (EMPTY, 0)

    def test_saves_racing_from_one_generation_have_one_winner(self, store):
        start = threading.Barrier(self.RACERS)

        def save(number):
            data = {"plans": [], "placements": [existing_record(f"r{number}")]}
            start.wait()
            try:
                return store.save(data, 0)
            except Conflict:
                return None

        with ThreadPoolExecutor(self.RACERS) as pool:
            results = list(pool.map(save, range(self.RACERS)))
        winners = [number for number, result in enumerate(results) if result == 1]
        assert len(winners) == 1 and results.count(None) == self.RACERS - 1
        assert store.load() == ({"plans": [], "placements": [
            existing_record(f"r{winners[0]}")]}, 1)

    def test_concurrent_writers_retrying_on_conflict_lose_no_save(self, store):
        conflicts = store_writers.race(store.url, self.WRITERS, self.SAVES)

        data, generation = store.load()
        assert generation == self.WRITERS * self.SAVES
        assert {record["orch_id"] for record in data["placements"]} == {
            store_writers.name(writer, number)
            for writer in range(self.WRITERS) for number in range(self.SAVES)}
        assert conflicts > 0, "the writers never overlapped; the test proved nothing"

    # -- named groups ---------------------------------------------------------

    def test_group_lifecycle(self, store):
        created = store.create_group("db-tier", "exclusivity", "rack", "databases", ["p1"])
        assert (created.name, created.kind, created.level, created.description,
                created.members) == ("db-tier", "exclusivity", "rack", "databases", ("p1",))
        assert store.get_group(created.id) == store.get_group("db-tier") == created

        store.update_group_description("db-tier", "primary databases")
        store.add_group_members(created.id, ["p2", "p1"])
        assert store.get_group(created.id).members == ("p1", "p2")
        store.remove_group_member(created.id, "p1")
        assert store.set_group_members(created.id, ["p3", "p3"]).members == ("p3",)
        assert store.list_groups() == [
            NamedGroup(name="db-tier", kind="exclusivity", level="rack", id=created.id,
                       description="primary databases", members=("p3",))]

        with pytest.raises(InUse):
            store.delete_group(created.id)
        store.set_group_members(created.id, [])
        store.delete_group(created.id)
        assert store.list_groups() == []

    def test_group_keeps_its_max_per_domain(self, store):
        limited = store.create_group("pool", "diversity", "host", max_per_domain=3)
        plain = store.create_group("web", "diversity", "rack")
        assert store.get_group(limited.id).max_per_domain == 3
        assert store.get_group(plain.id).max_per_domain == 1

    @pytest.mark.parametrize("kind, limit", [("diversity", 0), ("affinity", 2),
                                             ("diversity", "2")])
    def test_meaningless_max_per_domain_is_refused(self, store, kind, limit):
        with pytest.raises(InvalidInput) as refused:
            store.create_group("pool", kind, "host", max_per_domain=limit)
        assert "max_per_domain" in refused.value.message
        assert store.list_groups() == []

    def test_a_soft_group_is_stored_soft(self, store):
        store.create_group("web", "diversity", "host", enforcement="soft")
        assert store.get_group("web").enforcement == "soft"
        store.create_group("db", "affinity", "rack")
        assert store.get_group("db").enforcement == "hard"

    @pytest.mark.parametrize(("kind", "value", "reason"), [
        ("exclusivity", "soft", "soft applies only to"),
        ("diversity", "loose", "one of hard, soft"), ("affinity", 1, "one of hard, soft")])
    def test_meaningless_enforcement_is_refused(self, store, kind, value, reason):
        with pytest.raises(InvalidInput) as refused:
            store.create_group("pool", kind, "host", enforcement=value)
        assert reason in refused.value.message
        assert store.list_groups() == []

    def test_upgrade_to_0005_gives_old_groups_the_classic_limit(self, empty_url):
        migrate.upgrade(empty_url, "0004")
        engine = database.create_engine(empty_url)
        with database.writing(engine) as connection:
            connection.execute(sqlalchemy.text(
                "INSERT INTO groups (id, name, type, level, description, members, created_at, "
                "updated_at) VALUES ('g-1', 'old', 'diversity', 'host', '', '[]', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        engine.dispose()
        migrate.upgrade(empty_url)
        store = Store(empty_url)
        try:
            assert store.get_group("old").max_per_domain == 1
            assert store.get_group("old").enforcement == "hard"     # 0006
        finally:
            store.close()

    def test_duplicate_group_name_is_refused(self, store):
        store.create_group("web", "affinity", "host")
        generation = store.generation()
        with pytest.raises(Duplicate) as refused:
            store.create_group("web", "diversity", "rack")
        assert isinstance(refused.value, InvalidInput) and "web" in refused.value.message
        assert [g.kind for g in store.list_groups()] == ["affinity"]
        assert store.generation() == generation

    @pytest.mark.parametrize("name, kind, level", [
        ("bad name", "affinity", "host"), ("", "affinity", "host"),
        ("web", "anti-affinity", "host"), ("web", "affinity", "region")])
    def test_invalid_group_is_refused(self, store, name, kind, level):
        with pytest.raises(InvalidInput):
            store.create_group(name, kind, level)
        assert store.list_groups() == []

    def test_unknown_group_or_member_is_not_found(self, store):
        for change in (lambda: store.get_group("nope"), lambda: store.delete_group("nope"),
                       lambda: store.update_group_description("nope", "x"),
                       lambda: store.set_group_members("nope", ["p1"])):
            with pytest.raises(NotFound):
                change()
        store.create_group("web", "affinity", "host")
        with pytest.raises(NotFound):
            store.remove_group_member("web", "p9")

    def test_group_changes_move_the_generation(self, store):
        # NOTE: a plan made before a group changed rests on the old group.
        data, generation = store.load()
        store.create_group("web", "affinity", "host", members=["p1"])
        with pytest.raises(Conflict):
            store.save(data, generation)
        assert store.generation() == generation + 1
