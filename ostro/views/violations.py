"""Placed servers and volumes that now break their rules (``/v1/resources``).

The live placements are judged by :func:`ostro.verify.check` (the engine's
independent checker, through :func:`ostro.views.live.check`) against the data
centre the engine reads now, with their group rules and pipes rebuilt from
the engine's plans: a host that shrank, went away or was disabled, or a
changed aggregate, shows here.  So does what the plan was committed with
and no longer holds (:mod:`ostro.parse.recorded`): a named group that is
gone, a project that is no longer a member of its group, a flavor that is
gone, a plan that no longer reads.
"""

import collections

from ostro.views import live

#: The Heat type shown for each kind of resource.
TYPES = {"server": "OS::Nova::Server", "volume": "OS::Cinder::Volume"}


def _culprits(engine, violation, by_name, pipes):
    """The live placements one violation is about."""
    if violation.resource is not None:
        named = by_name.get(violation.resource, [])
        there = [p for p in named if p.location == violation.location]
        return there or named
    # NOTE: a bandwidth violation names a domain and its pipes; it is about
    # the pipes' ends in that domain.
    culprits = []
    for pipe in pipes:
        if pipe.name not in violation.pipes:
            continue
        for end in pipe.ends:
            placement = engine.placements.get(end)
            host = engine.datacenter.location(placement.location) if placement else None
            if host is not None and violation.location in (
                    host.domain(level) for level in ("host", "rack", "cluster")):
                culprits.append(placement)
    return culprits


def show(engine):
    """``{uuid: {type, status, message}}`` of every placement in violation."""
    placements = list(engine.placements.values())
    plans = live.recorded_plans(engine)
    found, pipes = live.check(engine, plans)
    by_name = collections.defaultdict(list)
    for placement in placements:
        by_name[placement.name].append(placement)
    messages = collections.defaultdict(list)   # orch id -> messages
    for violation in found:
        if violation.soft:
            continue    # a soft rule left unmet is the plan's answer, not a fault
        for placement in _culprits(engine, violation, by_name, pipes):
            if violation.message not in messages[placement.orch_id]:
                messages[placement.orch_id].append(violation.message)
    for orch_id, notes in live.stale(engine, plans).items():
        placement = engine.placements[orch_id]
        messages[orch_id].extend(f"{placement.resource.kind} {placement.name}: {note.detail}"
                                 for note in notes)
    shown = {}
    for orch_id, texts in messages.items():
        placement = engine.placements[orch_id]
        key = placement.resource.resource_id or orch_id
        shown[key] = {"type": TYPES.get(placement.resource.kind, "OS::Nova::Server"),
                      "status": "violation", "message": "; ".join(texts)}
    return shown
