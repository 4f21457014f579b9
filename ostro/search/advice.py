"""What would make a refused stack fit, where the engine can tell.

A refusal names the rule that left a resource nowhere (:mod:`ostro.search.
problem`); that says *what* failed, not how far the data centre is from
holding the stack.  These hints compare what each group needs with what the
data centre has room for now, every item taken on its own (its zone, flavor
extra specs, volume type, capacity and the named groups' existing members),
e.g. ``diversity(rack) of group web needs 6 racks, only 4 have room for
its members (m1.large)``.  They are necessary conditions only: a stack that
breaks none of them may still not fit (the rules together), and then no
hint is given rather than a guess.
"""

import math

import numpy as np

from ostro.constraints.base import PLURAL
from ostro.constraints.capacity import Capacity
from ostro.model.datacenter import DIMENSIONS
from ostro.model.topology import GroupKind

CAPACITY = Capacity()
#: Hints in one answer, at most: the first few say enough to act on.
MAX_HINTS = 5


def hints(problem, state):
    """Sentences saying what the stack needs that ``state`` lacks."""
    # NOTE: each item's own rules and capacity only: the group rules are
    # what the hints measure against (AffinityRoom would already say "no").
    room = {orch: _room(problem, state, item) for orch, item in problem.items.items()}
    found = [*_capacity_hints(problem, state, room)]
    for rule in problem.group_rules:
        members = [orch for orch in rule.members if orch in problem.items]
        if rule.kind == GroupKind.DIVERSITY:
            found += _diversity_hint(problem, rule, members, room)
        elif rule.kind == GroupKind.AFFINITY:
            found += _affinity_hint(problem, state, rule, members, room)
    return found[:MAX_HINTS]


def _capacity_hints(problem, state, room):
    """An item no eligible location has room for: how much the roomiest has."""
    for orch, item in problem.items.items():
        if room[orch].any():
            continue
        eligible = problem.static_mask(state, item) & state.compiled.enabled
        if not eligible.any():
            continue
        free = np.clip(state.headroom[eligible], 0, None).max(axis=0)
        wanted = np.flatnonzero(item.demand > 0)
        short = [dim for dim in wanted if free[dim] < item.demand[dim]]
        if short:
            unit = "host" if item.is_server else "backend"
            yield (f"{item.name} needs {_amounts(item.demand, wanted)}; the roomiest "
                   f"eligible {unit} has {_amounts(free, short)} free")


def _diversity_hint(problem, rule, members, room):
    """Fewer domains with room for a member than the group has units."""
    units = {rule.rule.units[orch] for orch in members}
    if len(units) < 2:
        return []
    domains = _domains(problem.compiled, rule.level, members, room)
    needed = math.ceil(len(units) / rule.rule.max_per_domain)
    if len(domains) >= needed:
        return []
    return [f"{rule.label} of group {rule.group} needs {needed} {PLURAL[rule.level]}, "
            f"only {len(domains)} have room for its members ({_flavors(problem, members)})"]


def _affinity_hint(problem, state, rule, members, room):
    """A member no domain has room for, no domain every member may use, or
    none with room for all of them."""
    compiled = state.compiled
    if len(members) < 2:
        return []
    each = {orch: _domains(compiled, rule.level, [orch], room) for orch in members}
    nowhere = [problem.items[orch].name for orch in members if not each[orch]]
    if nowhere:
        return [f"{rule.label} of group {rule.group}: no {rule.level} has room for "
                f"{', '.join(nowhere)}"]
    shared = set.intersection(*each.values())
    plural = PLURAL[rule.level]
    if not shared:
        return [f"{rule.label} of group {rule.group}: no {rule.level} has room for each "
                f"of its {len(members)} members ({_flavors(problem, members)})"]
    servers = [orch for orch in members if problem.items[orch].is_server]
    if len(servers) < 2:
        return []
    demand = np.sum([problem.items[orch].demand for orch in servers], axis=0)
    eligible = np.logical_or.reduce([room[orch] for orch in servers])
    free = np.clip(state.headroom, 0, None)
    best = max((free[eligible & (compiled.domain[rule.level] == domain)].sum(axis=0)
                for domain in shared), key=lambda total: tuple(total[:3] / demand[:3].clip(1)))
    wanted = np.flatnonzero(demand[:3] > 0)
    short = [dim for dim in wanted if best[dim] < demand[dim]]
    if not short:
        return []
    return [f"{rule.label} of group {rule.group} needs one {rule.level} with room for "
            f"{len(servers)} servers ({_amounts(demand, wanted)}); the roomiest of the "
            f"{len(shared)} {plural} they may use has {_amounts(best, short)} free"]


def _room(problem, state, item):
    """Locations that could take ``item`` on its own, now."""
    mask = problem.static_mask(state, item) & state.compiled.enabled
    fits = CAPACITY.mask(state, item)
    return mask if fits is None else mask & fits


def _domains(compiled, level, members, room):
    """Domains of ``level`` where at least one of ``members`` has room."""
    mask = np.logical_or.reduce([room[orch] for orch in members])
    domains = compiled.domain[level][mask]
    return set(np.unique(domains[domains >= 0]).tolist())


def _flavors(problem, members):
    """The members' flavors (or sizes), as a template author names them."""
    names = []
    for orch in members:
        item = problem.items[orch]
        # NOTE: a volume has no flavor: its size says what it needs.
        name = getattr(item.resource, "flavor", "") or _amounts(item.demand,
                                                               np.flatnonzero(item.demand))
        if name not in names:
            names.append(name)
    return ", ".join(names)


def _amounts(values, dims):
    return ", ".join(f"{values[dim]:g} {DIMENSIONS[dim]}" for dim in dims)
