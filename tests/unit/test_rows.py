"""A commit writes only the rows that changed (ostro/state/rows.py).

Reserving one server of a plan must rewrite that one placement's row, not
every row of its plan: the statements the store sends are counted on a
real SQLite database.
"""

import pytest
from sqlalchemy import event

from ostro.config import EngineSettings
from ostro.replica.cache import Replica
from ostro.state import migrate
from ostro.state.store import Store
from tests.unit.engine_fixtures import datacenter, locations, orch_id, servers, stack


@pytest.fixture
def replica(tmp_path):
    url = f"sqlite:///{tmp_path / 'valet.sqlite'}"
    migrate.upgrade(url)
    store = Store(url)
    dc = datacenter()
    yield Replica(store, lambda: dc, EngineSettings())
    store.close()


def placement_writes(replica, operation):
    """The INSERT/UPDATE/DELETE statements on ``placements`` that
    ``replica.write(operation)`` sends, and how many rows each names."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        verb = statement.split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and " placements" in statement:
            seen.append((verb, len(parameters) if executemany else 1))

    event.listen(replica.store.db, "before_cursor_execute", record)
    try:
        result = replica.write(operation)
    finally:
        event.remove(replica.store.db, "before_cursor_execute", record)
    return result, seen


def test_reserving_one_server_rewrites_only_its_row(replica):
    plan = replica.write(lambda engine: engine.plan(stack(*servers("s", 4)), stack_id="four"))
    host = locations(plan)["s2"]
    _, writes = placement_writes(
        replica, lambda engine: engine.reserve(orch_id("s2"), [host], resource_id="vm-2"))
    assert writes == [("UPDATE", 1)]
    rows = replica.store.load()[0]["placements"]
    assert {row["orch_id"]: (row["state"], row["resource_id"]) for row in rows} == {
        orch_id("s1"): ("planned", None), orch_id("s2"): ("reserved", "vm-2"),
        orch_id("s3"): ("planned", None), orch_id("s4"): ("planned", None)}


def test_deleting_a_plan_deletes_its_rows(replica):
    plan = replica.write(lambda engine: engine.plan(stack(*servers("s", 3)), stack_id="three"))
    _, writes = placement_writes(replica, lambda engine: engine.delete_plan(plan.id))
    assert [verb for verb, _ in writes] == ["DELETE"]
    assert replica.store.load()[0] == {"plans": [], "placements": []}
