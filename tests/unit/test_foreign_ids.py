"""Another project's ids are never named to a caller (issue 11 §4): a
reused orchestration id is refused without the owning plan's id, and the
operations answer another project's plan or placement as a missing one."""

import pytest

from ostro.errors import InvalidInput, NotFound, NotOwner
from tests.unit.engine_fixtures import datacenter, engine, server, stack


def test_a_reused_orchestration_id_names_the_plan_to_its_own_project_only():
    subject = engine(datacenter())
    mine = subject.plan(stack(server("a")), stack_id="one", project_id="project-a")
    with pytest.raises(InvalidInput, match=f"already placed by plan {mine.id}"):
        subject.plan(stack(server("a")), stack_id="two", project_id="project-a")
    with pytest.raises(InvalidInput) as refused:
        subject.plan(stack(server("a")), stack_id="three", project_id="project-b")
    assert refused.value.message == "resource orch-a is already placed"


def test_another_projects_plan_and_placement_read_as_missing():
    from ostro.operations import Operations

    class Replica:
        """The one engine, read and written in place (no store)."""

        def __init__(self, engine):
            self.engine = engine

        def read(self, operation):
            return operation(self.engine)

    subject = engine(datacenter())
    subject.plan(stack(server("a")), stack_id="one", project_id="project-a")
    operations = Operations(Replica(subject))
    for read, key, unknown in ((operations.get_plan, "one", "no plan one"),
                               (operations.get_placement, "orch-a", "no placement orch-a")):
        with pytest.raises(NotOwner) as foreign:
            read(key, project_id="project-b")
        assert isinstance(foreign.value, NotFound)
        assert foreign.value.to_dict() == {"type": "NotFound", "message": unknown}
        assert read(key, project_id="project-a")
    assert operations.list_placements("project-b") == []
    assert [p["id"] for p in operations.list_placements("project-a")] == ["orch-a"]
