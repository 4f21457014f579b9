"""The engine's typed words: enums that serialize as the strings they
replaced, group keys that tell named from in-stack groups, memberships read
by name, and the engine handing over what changed in one call."""

import json

import pytest

from ostro.config import EngineSettings, Objective
from ostro.model.books import Unit, UnitKind
from ostro.model.placement import GroupRef, PlacementState
from ostro.model.topology import (
    GroupKind,
    is_named_group_key,
    named_group_key,
    plan_group_key,
)
from tests.unit.engine_fixtures import datacenter, engine, orch_id, server, stack


@pytest.mark.parametrize("kind, words", [
    (PlacementState, ["planned", "reserved", "active"]),
    (GroupKind, ["affinity", "diversity", "exclusivity"]),
    (Objective, ["pack", "spread"]),
    (UnitKind, ["plan", "loose"]),
])
def test_enums_are_the_strings_the_store_and_api_write(kind, words):
    assert [member.value for member in kind] == words
    assert json.loads(json.dumps(list(kind))) == words
    assert all(kind(word) == word for word in words)


def test_settings_read_the_objective_as_an_enum():
    assert EngineSettings(objective="spread").objective is Objective.SPREAD
    with pytest.raises(ValueError):
        EngineSettings(objective="scatter")


def test_group_keys_tell_named_groups_from_in_stack_ones():
    assert is_named_group_key(named_group_key("web"))
    assert not is_named_group_key(plan_group_key("plan-1", "web"))
    assert plan_group_key("plan-1", "web") != plan_group_key("plan-2", "web")


def test_placements_record_memberships_by_name_and_changes_are_taken_once():
    subject = engine(datacenter(), named_groups=[("apart", "diversity", "host")])
    plan = subject.plan(stack(server("s1", groups=["apart"])))
    placement = plan.placements[orch_id("s1")]
    [ref] = placement.groups
    assert isinstance(ref, GroupRef)
    assert (ref.key, ref.name, ref.kind, ref.level) == \
        (named_group_key("apart"), "apart", GroupKind.DIVERSITY, "host")
    assert placement.state is PlacementState.PLANNED
    assert subject.take_changes() == {Unit(UnitKind.PLAN, plan.id)}
    assert subject.take_changes() == frozenset()
