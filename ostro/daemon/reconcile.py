"""Bring Valet's placements in line with what Nova says runs where (DESIGN §6).

Nova is the truth about instances.  Given the engine's state as data
(:func:`ostro.replica.records.dump`) and the instances Nova reports, :func:`reconcile`
says what the state should be now:

* a placement whose instance (its ``resource_id``) runs on its host becomes
  ``active``;
* a placement whose instance runs on another host follows it there (a live
  migration, an evacuation, a resize to another host); ``GET /v1/resources``
  then shows whether its rules still hold (:mod:`ostro.views.violations`);
* a placement whose instance has another (known) flavor than its plan says
  takes that flavor (a resize reverted, which Nova does without scheduling,
  or confirmed out of Valet's sight), so its host counts the size it runs at;
* an ``active`` placement whose instance is gone is released; a planned or
  reserved one waits for its TTL, since its instance may still be booting;
* a placement on a location the data centre no longer has is released;
* an instance Valet did not place is *foreign load* on its host, unless it
  names Valet groups (``metadata.valet.groups``): then it is recorded as an
  existing placement, so the groups' rules count it.

Cinder's volumes (``volumes``, read with ``[inventory] storage = cinder``)
bind volume placements the same way: active on their pool, following a
migrated volume, released when the volume is gone.  A volume Valet did not
place is already in its pool's used space (Cinder's free capacity), so it
is never load here; :attr:`Outcome.held_gb` is what Valet's own volume
placements hold, for the sync to take out of that used space.

The function is pure (data in, data out), so the leader's sync and its
notification listener share it, and running it twice changes nothing.
"""

import dataclasses
import enum
import logging

from ostro.inventory.instance import LOAD_DIMENSIONS, Instance
from ostro.model.placement import PlacementState
from ostro.parse.resources import SERVER_TYPES

LOG = logging.getLogger(__name__)


class ActionKind(enum.StrEnum):
    """What :func:`reconcile` did to one placement."""

    ACTIVATED = "activated"    # its instance runs on its host
    MOVED = "moved"            # its instance runs on another host: it followed
    RELEASED = "released"      # its instance or its location is gone
    RECORDED = "recorded"      # an instance with Valet groups became a placement
    RESIZED = "resized"        # its instance runs with another flavor: the plan follows


@dataclasses.dataclass(frozen=True)
class Action:
    """One change :func:`reconcile` made, to the placement ``orch_id``."""

    kind: ActionKind
    orch_id: str
    reason: str

    @property
    def message(self):
        """The line for the log."""
        return f"{self.kind} {self.orch_id}: {self.reason}"


@dataclasses.dataclass
class Outcome:
    """What :func:`reconcile` decided: the state to hold, the foreign load
    per host, and one :class:`Action` per change."""

    data: dict
    foreign: dict = dataclasses.field(default_factory=dict)
    actions: list = dataclasses.field(default_factory=list)
    #: pool -> GB of the volumes on it that Valet's placements stand for
    held_gb: dict = dataclasses.field(default_factory=dict)


def reconcile(data, servers, locations, now, known_groups=frozenset(), known_flavors=None,
              volumes=None):
    """The state ``data`` should become given Nova's ``servers`` (id ->
    :class:`~ostro.inventory.instance.Instance`) and Cinder's ``volumes``
    (id -> {pool, size}; None: Cinder not read, volume placements wait for
    their TTL as before).

    ``locations`` are the hosts and backends the data centre has;
    ``known_groups`` the named groups, ``known_flavors`` the flavor names an
    existing placement may use (``None``: any).
    """
    outcome = Outcome({"plans": list(data["plans"]), "placements": []})
    instances = {**servers, **_as_instances(volumes or {})}
    matched = set()
    for record in data["placements"]:
        kept = _follow(record, instances, locations, now, outcome.actions)
        if kept is not None and kept["resource_id"] in servers:
            kept = _resize(outcome, kept, servers[kept["resource_id"]], known_flavors)
        if kept is not None:
            outcome.data["placements"].append(kept)
            if kept["resource_id"]:
                matched.add(kept["resource_id"])
            volume = (volumes or {}).get(kept["resource_id"])
            if volume is not None and volume["pool"] == kept["location"]:
                outcome.held_gb[volume["pool"]] = (outcome.held_gb.get(volume["pool"], 0)
                                                   + volume["size"])
    for server in sorted(servers.values(), key=lambda s: s.id):
        if server.id in matched or server.host not in locations:
            continue
        if server.groups and _fits(server, known_groups, known_flavors):
            outcome.data["placements"].append(_existing(server, now))
            outcome.actions.append(Action(ActionKind.RECORDED, server.id,
                                          f"on {server.host} (groups {', '.join(server.groups)})"))
            continue
        load = outcome.foreign.setdefault(server.host, dict.fromkeys(LOAD_DIMENSIONS, 0))
        for dimension, amount in zip(LOAD_DIMENSIONS, server.load, strict=True):
            load[dimension] += amount
    return outcome


def _as_instances(volumes):
    """Cinder's volumes as instances on their pools (no flavor, no groups)."""
    return {key: Instance(id=key, name=key, host=volume["pool"], flavor={})
            for key, volume in volumes.items()}


def _follow(record, servers, locations, now, actions):
    """``record`` as it should be now, or None when it is released."""
    orch_id, instance = record["orch_id"], record["resource_id"]
    server = servers.get(instance) if instance else None
    if server is not None and server.host is not None:
        # NOTE: where the instance runs decides, even if the placement's own
        # host is gone (an evacuation off a removed host).
        if server.host not in locations:
            actions.append(Action(ActionKind.RELEASED, orch_id,
                                  f"instance {instance} is on unknown host {server.host}"))
            return None
        if server.host != record["location"]:
            actions.append(Action(ActionKind.MOVED, orch_id,
                                  f"instance {instance} is on {server.host}, "
                                  f"not {record['location']}"))
            return {**record, "location": server.host, "state": PlacementState.ACTIVE,
                    "updated_at": now}
        if record["state"] != PlacementState.ACTIVE:
            actions.append(Action(ActionKind.ACTIVATED, orch_id,
                                  f"instance {instance} is on {server.host}"))
            return {**record, "state": PlacementState.ACTIVE, "updated_at": now}
        return record
    if record["location"] not in locations:
        actions.append(Action(ActionKind.RELEASED, orch_id,
                              f"location {record['location']} is gone"))
        return None
    if instance and server is None and record["state"] == PlacementState.ACTIVE:
        actions.append(Action(ActionKind.RELEASED, orch_id, f"instance {instance} is gone"))
        return None
    # NOTE: not booted or not scheduled yet (or never will be): its TTL decides.
    return record


def _resize(outcome, record, server, known_flavors):
    """``record`` (and its plan in ``outcome``) naming the flavor its
    instance runs with, when Nova reports another known one."""
    plans = outcome.data["plans"]
    index = next((i for i, plan in enumerate(plans) if plan["id"] == record["plan_id"]), None)
    # NOTE: a plan's server is described by its plan, an existing one by its entry.
    entry = (record.get("entry") if index is None
             else plans[index]["resources"].get(record["orch_id"])) or {}
    properties = entry.get("properties") or {}
    flavor = server.flavor.get("name")
    if entry.get("type") not in SERVER_TYPES or not flavor \
            or properties.get("flavor") == flavor \
            or (known_flavors is not None and flavor not in known_flavors):
        return record
    resized = {**entry, "properties": {**properties, "flavor": flavor}}
    outcome.actions.append(Action(ActionKind.RESIZED, record["orch_id"],
                                  f"instance {server.id} runs as {flavor}, "
                                  f"not {properties.get('flavor')}"))
    if index is None:
        return {**record, "entry": resized}
    plan = plans[index]
    plans[index] = {**plan, "resources": {**plan["resources"], record["orch_id"]: resized}}
    return record


def _fits(server, known_groups, known_flavors):
    """Whether ``server`` can be recorded as a placement: its groups and
    flavor are known (else it only counts as load, and the log says why)."""
    unknown = [group for group in server.groups if group not in known_groups]
    flavor = server.flavor.get("name")
    if unknown or (known_flavors is not None and flavor not in known_flavors):
        LOG.warning("instance %s names unknown Valet groups %s or flavor %r: "
                    "counted as load only", server.id, unknown, flavor)
        return False
    return True


def _existing(server, now):
    """A placement record (outside any plan) for a server booted with Valet groups."""
    entry = {"type": "OS::Nova::Server", "name": server.name,
             "properties": {"flavor": server.flavor.get("name"),
                            "metadata": {"valet": {"groups": list(server.groups)}}}}
    return {"orch_id": server.id, "plan_id": None, "location": server.host,
            "state": PlacementState.ACTIVE, "updated_at": now, "resource_id": server.id,
            "entry": entry, "named_groups": sorted(server.groups)}
