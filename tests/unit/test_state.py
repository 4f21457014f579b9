"""The search state: reserve and release are exact inverses in any order,
release is idempotent, and copies never write through to their base."""

import hypothesis
import numpy as np
from hypothesis import strategies as st

from ostro.config import EngineSettings
from ostro.inventory import generated
from ostro.model.placement import group_rules
from ostro.parse import resources as parser
from ostro.search import items as item_model
from ostro.search.compiled import CompiledDatacenter
from ostro.search.layer import Layer
from ostro.search.state import SearchState
from tests.support import stacks

DATACENTER = generated.generate(clusters=2, racks_per_cluster=2, hosts_per_rack=3, seed=1,
                                backends="rack")
COMPILED = CompiledDatacenter(DATACENTER, EngineSettings())


def snapshot(state):
    arrays = {"headroom": state.headroom.copy()}
    for name in ("servers_in", "exclusive", "uplink_used", "uplink_held", "new_in"):
        for level, array in getattr(state, name).items():
            arrays[f"{name}.{level}"] = array.copy()
    groups = {key: (dict(c.members), dict(c.servers), {u: dict(d) for u, d in c.units.items()})
              for key, c in state.groups.items()}
    return arrays, groups, dict(state.exclusive_total)


def assert_same(first, second):
    arrays_a, groups_a, totals_a = first
    arrays_b, groups_b, totals_b = second
    assert arrays_a.keys() == arrays_b.keys()
    for name in arrays_a:
        np.testing.assert_allclose(arrays_a[name], arrays_b[name], atol=1e-9, err_msg=name)
    assert groups_a == groups_b
    assert totals_a == totals_b


def stack_items(seed):
    resources = stacks.random_stack(8, seed, rules="mixed", pipes=5, volumes=2)
    stack = parser.parse(resources, DATACENTER)
    return list(item_model.stack_items(stack, group_rules(stack)).values())


def location_for(item, pick):
    kind = COMPILED.is_host if item.is_server else ~COMPILED.is_host
    choices = np.flatnonzero(kind)
    return int(choices[pick % len(choices)])


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.integers(0, 1000), st.lists(st.integers(0, 10_000), min_size=10,
                                                 max_size=10), st.randoms())
def test_any_reserve_release_order_returns_to_the_start(seed, picks, rng):
    state = SearchState(COMPILED, track_holds=True)
    before = snapshot(state)
    items = stack_items(seed)
    for item, pick in zip(items, picks, strict=False):
        state.assume(item, location_for(item, pick))
    # Holds exist only while a pipe has one end placed.
    assert all(not held.any() for held in state.uplink_held.values())
    order = [item.orch_id for item in items]
    rng.shuffle(order)
    half = len(order) // 2
    for orch_id in order[:half]:
        assert state.forget(orch_id) is not None
        assert state.forget(orch_id) is None          # idempotent
    twin = state.copy()
    for orch_id in order[half:]:
        twin.forget(orch_id)
    # Once nothing is placed, nothing is held either.
    assert_same(before, snapshot(twin))
    assert len(twin.groups) == 0


def test_copy_never_writes_through():
    base = SearchState(COMPILED)
    items = stack_items(3)
    for item in items[:4]:
        base.assume(item, location_for(item, 1))
    before = snapshot(base)
    twin = base.copy()
    for item in items[4:]:
        twin.assume(item, location_for(item, 2))
    for item in items[:4]:
        twin.forget(item.orch_id)
    assert_same(before, snapshot(base))
    assert all(item.orch_id in base.location_of for item in items[:4])
    assert not any(item.orch_id in twin.location_of for item in items[:4])


def test_layer_reads_through_and_keeps_its_own_writes():
    base = {"a": 1, "b": 2}
    layer = Layer(base)
    layer["c"] = 3
    del layer["a"]
    assert ("a" in layer, "b" in layer, "c" in layer) == (False, True, True)
    assert layer.get("a") is None and layer["b"] == 2 and layer.pop("c") == 3
    layer["a"] = 5
    assert layer["a"] == 5
    assert base == {"a": 1, "b": 2}
