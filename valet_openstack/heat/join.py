"""One heat-engine worker's view of a stack tree, joined into the root's
plan without undoing what other workers put there (issue 12 §4).

Under Heat's convergence engine the nested stacks of one root are built at
once, each by its own workers, and each worker sees the others' stacks as
far as Heat has stored them: a nested stack it cannot see yet is planned
under provisional ids (:func:`plan.provisional_id`).  So the root's plan is
created once, from the whole tree, by the first planned resource of any of
its stacks; later workers only *join* it:

* a provisional id of a path the plan holds under Heat's real uuid takes
  that uuid (a real uuid is never replaced by a provisional one);
* a real uuid this worker knows replaces the plan's provisional id of the
  same path (a nested stack just built adds its uuids);
* the write names the revision it was merged with (``If-Match``): if
  another worker wrote in between, Valet refuses it (:class:`Stale`) and
  the worker reads Heat and the plan again.  Valet serializes writes, so
  this holds across heat-engine workers and hosts.
"""

from valet_openstack import client as valet_client
from valet_openstack.heat import plan as heat_plan


def join(api, root, resources, unread=()):
    """Make the plan of ``root`` hold ``resources`` (this worker's view of
    the tree; ``unread``: path prefixes of nested stacks it could not read);
    the plan.  :class:`valet_client.Stale` when the view or the plan moved
    on meanwhile: read both again and retry."""
    created = api.create_plan(root.id, resources, name=root.name)
    if set(created.get("placements") or {}) == heat_plan.planned_ids(resources):
        return created          # NOTE: planned just now, or nothing to add
    plan, revision = api.get_plan_revision(root.id)
    placed = plan.get("placements") or {}
    unseen = sorted(p["name"] for p in placed.values()
                    if any(p["name"].startswith(prefix) for prefix in unread))
    if unseen:
        raise valet_client.Stale(f"the plan holds {', '.join(unseen)}, of nested stacks "
                                 "this worker could not read yet")
    resources = merged(resources, root.id, placed)
    if set(placed) == heat_plan.planned_ids(resources):
        return plan
    return api.update_plan(root.id, resources, if_revision=revision)


def merged(resources, root_id, placed):
    """``resources`` with each provisional id whose path ``placed`` (a
    plan's placements) holds under another id taken to that id, as a key
    and as a group's or pipe's member."""
    known = {entry["name"]: key for key, entry in placed.items()}
    renamed = {}
    for key, entry in resources.items():
        real = known.get(entry.get("name"))
        if real and real != key and key == heat_plan.provisional_id(root_id, entry["name"]):
            renamed[key] = real
    if not renamed:
        return resources
    return {renamed.get(key, key): _with_members_renamed(entry, renamed)
            for key, entry in resources.items()}


def _with_members_renamed(entry, renamed):
    members = entry.get("properties", {}).get("resources")
    if not members:
        return entry
    properties = dict(entry["properties"],
                      resources=[renamed.get(member, member) for member in members])
    return dict(entry, properties=properties)
