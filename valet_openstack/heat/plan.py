"""A Heat stack, nested stacks included, as the ``resources`` of one Valet
plan (DESIGN §2, §4): ``{orch_id: {type, name, properties, metadata}}``.

The orchestration id of a resource is Heat's resource uuid: Heat hands the
same uuid to Nova as the scheduler hint ``heat_resource_uuid``
(``stack_scheduler_hints = true``), which is how ValetFilter finds the
placement.  A nested stack that Heat has not built yet has no uuids: its
resources get provisional ids (stable: derived from the root stack and the
path), which are replaced by the real ones when the nested stack is built
(see :mod:`valet_openstack.heat.hook`).

Group members and pipe ends name other resources of their own stack; Heat
resolves ``get_resource`` to the resource's name before it exists and to its
physical id after, so both are mapped back to the orchestration id.
"""

import logging
import uuid

from heat.engine import stack as heat_stack
from heat.engine.resources import stack_resource
from heat.engine.resources.openstack.cinder import volume as heat_volume
from heat.engine.resources.openstack.nova import server as heat_server
from heat.objects import stack as stack_object

LOG = logging.getLogger(__name__)

SERVER, VOLUME = "OS::Nova::Server", "OS::Cinder::Volume"
# Our declarations (resources.py), read by ostro/parse/resources.py.
GROUP_TYPES = ("OS::Valet::GroupAssignment", "ATT::Valet::GroupAssignment",
               "ATT::QoS::ResourceGroup", "ATT::CloudQoS::ResourceGroup")
PIPE_TYPES = ("ATT::QoS::Pipe", "ATT::CloudQoS::Pipe")
# The properties the engine reads; the rest (networks, user_data, ...) would
# only make the request larger.
SERVER_PROPERTIES = ("flavor", "image", "availability_zone", "metadata",
                     "block_device_mapping", "block_device_mapping_v2", "scheduler_hints")
VOLUME_PROPERTIES = ("size", "volume_type", "availability_zone")
DECLARATION_PROPERTIES = ("group_type", "group_name", "relationship", "name", "level",
                          "resources", "bandwidth", "max_bandwidth", "max_per_domain",
                          "enforcement")
# NOTE: a fixed namespace, so the provisional id of a resource of a nested
# stack not yet built is the same every time the stack is read.
PROVISIONAL = uuid.UUID("6f0b8d55-4b8e-4bde-9a54-3b7e0f2a9c11")


def kind_of(res):
    """The type the engine knows the resource by, or ``None``.  By class as
    well as by name, so a server mapped under another type name still counts."""
    name = res.type()
    if name in GROUP_TYPES or name in PIPE_TYPES:
        return name
    if name == SERVER or isinstance(res, heat_server.Server):
        return SERVER
    if name == VOLUME or isinstance(res, heat_volume.CinderVolume):
        return VOLUME
    return None


def plan_resources(root, built=None, previous=None, unread=None):
    """The plan of ``root`` and every stack nested in it.

    ``built`` maps ``(owner stack id, parent resource name)`` to a nested
    :class:`Stack` object about to be created, whose uuids are the ones Heat
    will store (the lifecycle plugin's nested pre-op hands it over).
    ``previous``: when ``root`` is the new definition of a stack Heat is
    updating, the stack as it is, whose resources keep their uuids.
    ``unread``: a list that gets the path prefix (``tier.``) of each nested
    stack that could be neither loaded nor parsed, so is left out.
    """
    resources = {}
    _collect(root, "", root.id, built or {}, resources, previous,
             unread if unread is not None else [])
    return resources


def provisional_id(root_id, path):
    """The id a resource of ``root_id``'s tree at ``path`` (``tier.app1``)
    is planned under until Heat stores it."""
    return str(uuid.uuid5(PROVISIONAL, f"{root_id}/{path}"))


def _collect(stack, prefix, root_id, built, out, previous=None, unread=None):
    # NOTE: ``current`` is the resource as it exists (uuid, physical id,
    # nested stack); the definition ``res`` may be a newer one (update).
    current = {}
    for name, res in stack.resources.items():
        old = previous.resources.get(name) if previous is not None else None
        current[name] = old if old is not None and old.type() == res.type() else res
    ids = {name: _orch_id(current[name], prefix, root_id) for name in current}
    aliases = dict(ids)
    for name, res in current.items():
        if res.resource_id:
            aliases.setdefault(str(res.resource_id), ids[name])
    for name, res in stack.resources.items():
        kind = kind_of(res)
        if kind is not None:
            out[ids[name]] = _entry(res, current[name], kind, prefix + name, aliases)
        elif isinstance(res, stack_resource.StackResource):
            _collect_nested(res, current[name], prefix + name + ".", root_id, built, out,
                            unread)


def _orch_id(res, prefix, root_id):
    """Heat's uuid; a resource Heat has not stored yet (of a nested stack
    not built, or new in an update) gets a provisional id."""
    if res.uuid:
        return res.uuid
    return provisional_id(root_id, prefix + res.name)


def _collect_nested(res, existing, prefix, root_id, built, out, unread):
    nested = built.get((existing.stack.id, existing.name))
    if nested is None and existing.resource_id:
        nested = existing.nested()
    if nested is None:
        nested = _stored_child(existing)
    if nested is None:
        nested = _parse_unbuilt(res)
    if nested is None:
        unread.append(prefix)
    else:
        _collect(nested, prefix, root_id, built, out, unread=unread)


def _stored_child(existing):
    """The nested stack Heat has stored for ``existing`` but not yet
    recorded as its physical id, or ``None``.

    NOTE: under convergence a nested stack's workers start while its parent
    resource is still creating it, before the parent records the nested
    stack's id; another nested stack's worker then finds it (with the
    uuids Nova will be given) by owner and parent resource name.
    """
    if existing.stack.id is None or existing.id is None:
        return None
    name = existing.physical_resource_name()
    for child in stack_object.Stack.get_all_by_owner_id(existing.context, existing.stack.id):
        if child.name == name and child.parent_resource_name == existing.name:
            return heat_stack.Stack.load(existing.context, stack=child)
    return None


def _parse_unbuilt(res):
    """The nested stack Heat will build for ``res``, parsed but not stored;
    ``None`` when it cannot be known yet (e.g. its template needs attributes
    of resources not created), and then it is planned when it is built."""
    try:
        # NOTE: a label only (Heat names the real one when it builds it; a
        # resource not created yet has no physical name).
        label = f"{res.stack.name}-{res.name}"
        return res._parse_nested_stack(label, res.child_template(), res.child_params())
    except Exception as exc:  # noqa: BLE001 (any template error: Heat reports it itself)
        LOG.info("Valet: nested stack of %s not planned before it is built: %s", res.name, exc,
                 exc_info=True)
        return None


def _entry(res, existing, kind, name, aliases):
    if kind == SERVER:
        wanted = SERVER_PROPERTIES
    elif kind == VOLUME:
        wanted = VOLUME_PROPERTIES
    else:
        wanted = DECLARATION_PROPERTIES
    props = {}
    for key in wanted:
        if key in res.properties_schema:
            value = res.properties[key]
            if value not in (None, [], {}):
                props[key] = value
    if "resources" in props:
        # NOTE: members are sent as orchestration ids so they stay right
        # whether Heat resolved them to names or to physical ids.
        props["resources"] = [aliases.get(str(member), member) for member in props["resources"]]
    entry = {"type": kind, "name": name, "properties": props}
    metadata = res.t.metadata()
    if metadata:
        entry["metadata"] = metadata
    if kind in (SERVER, VOLUME) and existing.resource_id:
        entry["resource_id"] = str(existing.resource_id)
    return entry


def planned_ids(resources):
    """The ids of the servers and volumes of a plan (what gets a placement)."""
    return {key for key, entry in resources.items() if entry["type"] in (SERVER, VOLUME)}
