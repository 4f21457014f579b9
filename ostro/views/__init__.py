"""The engine's state as the API shows it (DESIGN §4): JSON-ready views.

They live with the engine because the engine answers in them, in process
or over RPC (:mod:`ostro.operations`); the API only forwards them.
"""

import hashlib
import json

from ostro.model.placement import PlacementState
from ostro.views import soft

#: Placement states in which Nova holds the capacity (``reserved: true``).
RESERVED_STATES = (PlacementState.RESERVED, PlacementState.ACTIVE)


def plan(plan, engine):
    """An :class:`ostro.model.plan.Plan` as ``{id, name, stack_id,
    placements}``, and ``unmet_soft_rules`` when it has soft groups."""
    return _with_soft(plan.to_dict(), soft.unmet(engine.compiled, engine.state, plan))


def _with_soft(shown, unmet):
    if unmet is not None:
        shown["unmet_soft_rules"] = unmet
    return shown


def revision(shown):
    """The revision of a plan as :func:`plan` shows it (the API's ``ETag``):
    a digest of what it shows, so any change a reader could see (a
    placement added, dropped, renamed or moved, a group) gives another.
    ``unmet_soft_rules`` is left out: it is derived, and moves when other
    plans join a named group, which changes nothing of this plan."""
    kept = {key: value for key, value in shown.items() if key != "unmet_soft_rules"}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def trial_plan(plan, engine, stored=False):
    """A dry run's answer: :func:`plan` with ``dry_run`` and, for each
    placement, where that is (rack, cluster, zone) and the groups it is in,
    so a template author sees the whole layout in one answer (groups are in
    every plan's answer).  ``id`` is
    None unless the stack is planned already (``stored``): a dry run stores
    nothing to name."""
    shown = _with_soft(plan.to_dict(), soft.unmet(engine.compiled,
                                                    plan.trial_state or engine.state, plan))
    shown.update(id=plan.id if stored else None, dry_run=True)
    for orch_id, placed in plan.placements.items():
        location = engine.datacenter.location(placed.location)
        shown["placements"][orch_id].update(
            rack=getattr(location, "rack", None), cluster=getattr(location, "cluster", None),
            availability_zone=getattr(location, "availability_zone", None))
    return shown


def placement(placement):
    """An :class:`ostro.model.placement.Placement` as the API's placement::

        {id, name, orchestration_id, resource_id, location, reserved, metadata, plan_id}

    ``id`` is the orchestration id (the engine keys placements by it);
    ``metadata`` is a server's scheduler hints (``{}`` for none), as the
    original Valet showed them.
    """
    return {"id": placement.orch_id, "name": placement.name,
            "orchestration_id": placement.orch_id,
            "resource_id": placement.resource.resource_id,
            "location": placement.location,
            "reserved": placement.state in RESERVED_STATES,
            "metadata": dict(getattr(placement.resource, "hints", None) or {}),
            "plan_id": placement.plan_id}
