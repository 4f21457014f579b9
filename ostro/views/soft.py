"""A plan's soft rules that its placements leave unmet: the plan answer's
``unmet_soft_rules`` (doc/api.md).

Read from the search state's group counters (which count every member,
named groups' members of other plans too), so the answer costs the plan's
size, not the cloud's, and always says what holds now, not what held when
the plan was made.
"""

from ostro.constraints.diversity import placed_units
from ostro.model.topology import Enforcement, GroupKind
from ostro.search.soft import affinity_excess

#: Domains named in one message at most.
SHOWN = 5


def unmet(compiled, state, plan):
    """``[{group, rule, message}]`` for each soft group of ``plan`` that
    ``state`` (holding the plan's placements) breaks; None when the plan
    has no soft group."""
    members = {}         # group key -> (ref, {domain of the plan's members})
    for placement in plan.placements.values():
        index = compiled.index.get(placement.location)
        for ref in placement.groups:
            if ref.enforcement != Enforcement.SOFT:
                continue
            _, domains = members.setdefault(ref.key, (ref, set()))
            if index is not None:
                domains.add(int(compiled.domain[ref.level][index]))
    if not members:
        return None
    found = []
    for ref, domains in sorted(members.values(), key=lambda entry: entry[0].name):
        counter = state.counter(ref.key)
        detail = _broken(compiled, ref, counter, domains) if counter is not None else None
        if detail:
            found.append({"group": ref.name, "rule": f"{ref.kind}({ref.level})",
                          "message": f"{ref.kind}({ref.level}) of group {ref.name}: {detail}"})
    return found


def _broken(compiled, ref, counter, domains):
    names = compiled.domain_names[ref.level]
    if ref.kind == GroupKind.AFFINITY:
        if not affinity_excess(counter):
            return None
        used = sorted(d for d, count in counter.members.items() if count > 0)
        shown = ", ".join(names[d] if d >= 0 else f"no {ref.level}" for d in used[:SHOWN])
        return f"members in {len(used)} {ref.level} domains ({shown})"
    distinct = placed_units(counter)
    crowded = sorted(d for d in domains if d >= 0 and distinct.get(d, 0) > ref.max_per_domain)
    if not crowded:
        return None
    shown = ", ".join(f"{distinct[d]} in {names[d]}" for d in crowded[:SHOWN])
    return f"more than {ref.max_per_domain} member(s) per {ref.level}: {shown}"
