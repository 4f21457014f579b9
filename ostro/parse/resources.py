"""Heat resources (a plan's ``resources`` object) → an application topology.

Each Heat type maps to one reader; types Valet does not place are ignored.
Group members are resolved afterwards by :mod:`ostro.parse.groups`.
"""

import math

from ostro.errors import TopologyError
from ostro.model.datacenter import LEVELS
from ostro.model.topology import (
    GROUP_KINDS,
    Group,
    Pipe,
    Server,
    Stack,
    Volume,
    enforcement,
    max_per_domain,
)
from ostro.parse import groups as group_rules
from ostro.parse import values

SERVER_TYPES = ("OS::Nova::Server",)
VOLUME_TYPES = ("OS::Cinder::Volume",)
ASSIGNMENT_TYPES = ("OS::Valet::GroupAssignment", "ATT::Valet::GroupAssignment")
QOS_GROUP_TYPES = ("ATT::QoS::ResourceGroup", "ATT::CloudQoS::ResourceGroup")
PIPE_TYPES = ("ATT::QoS::Pipe", "ATT::CloudQoS::Pipe")


def parse(resources, datacenter, named_groups=None, project_id=None, deadline=None):
    """Build a :class:`Stack` from ``{orch_id: {type, name, properties, metadata}}``.

    ``named_groups`` maps names *and* ids to :class:`NamedGroup`.  Raises
    :class:`TopologyError` naming the resource (and groups) at fault, or
    :class:`~ostro.errors.LimitExceeded` once ``deadline`` (an
    :class:`ostro.deadline.Deadline`; None: no bound) has passed.
    """
    if not isinstance(resources, dict):
        raise TopologyError("resources must be an object keyed by orchestration id")
    stack = Stack()
    raw_members, joins, names = {}, {}, {}
    for orch_id, entry in resources.items():
        if not isinstance(entry, dict):
            raise TopologyError(f"resource {orch_id}: expected an object", resource=orch_id)
        kind = entry.get("type")
        name = str(entry.get("name") or orch_id)
        properties = entry.get("properties") or {}
        if not isinstance(properties, dict):
            raise TopologyError(f"resource {name}: properties must be an object", resource=name)
        names[orch_id] = name
        if kind in SERVER_TYPES:
            server, wanted = _server(orch_id, name, entry, properties, datacenter)
            stack.resources[orch_id] = server
            joins[orch_id] = wanted
        elif kind in VOLUME_TYPES:
            stack.resources[orch_id] = _volume(orch_id, name, entry, properties)
        elif kind in ASSIGNMENT_TYPES:
            group = _group(orch_id, name, properties, "group_type", "group_name")
            stack.groups[orch_id] = group
            raw_members[orch_id] = _member_list(properties, name)
        elif kind in QOS_GROUP_TYPES:
            group = _group(orch_id, name, properties, "relationship", "name")
            stack.groups[orch_id] = group
            raw_members[orch_id] = _member_list(properties, name)
        elif kind in PIPE_TYPES:
            stack.pipes.append(_pipe(orch_id, name, properties))
    group_rules.resolve(stack, raw_members, joins, named_groups or {}, project_id, names,
                        deadline=deadline)
    return stack


def _server(orch_id, name, entry, properties, datacenter):
    flavor_ref = properties.get("flavor")
    if flavor_ref in (None, ""):
        raise TopologyError(f"server {name}: property flavor is required", resource=name)
    flavor = datacenter.find_flavor(str(flavor_ref))
    if flavor is None:
        raise TopologyError(f"server {name}: unknown flavor {flavor_ref!r}", resource=name)
    # NOTE: a server booted from a volume keeps no root disk on its host; as
    # in Nova, only ephemeral and swap are local then.
    root_gb = 0 if _boots_from_volume(properties) else flavor.disk
    disk_gb = root_gb + flavor.ephemeral + math.ceil(flavor.swap / 1024)
    zone = properties.get("availability_zone") or None
    wanted = _valet_groups(properties.get("metadata"), f"server {name}: metadata.valet")
    wanted += _valet_groups(entry.get("metadata"), f"server {name}: metadata.valet")
    wanted += values.group_names(flavor.extra_specs.get("valet"),
                                 f"server {name}: flavor {flavor.name} extra spec valet")
    server = Server(orch_id=orch_id, name=name, vcpus=flavor.vcpus, memory_mb=flavor.ram,
                    disk_gb=disk_gb, flavor=flavor.name,
                    availability_zone=str(zone) if zone else None,
                    extra_specs=dict(flavor.extra_specs),
                    resource_id=values.resource_id(entry.get("resource_id"), f"server {name}",
                                                   f"resources.{orch_id}.resource_id"),
                    hints=_hints(properties.get("scheduler_hints"), name))
    return server, list(dict.fromkeys(wanted))


def _hints(hints, name):
    """The server's scheduler hints: names to strings (or lists of them), as
    Nova takes them; None for none."""
    if not hints:
        return None
    if not isinstance(hints, dict):
        raise TopologyError(f"server {name}: property scheduler_hints must be an object",
                            resource=name)
    for key, value in hints.items():
        texts = value if isinstance(value, list) else [value]
        if not all(isinstance(text, str) for text in texts):
            raise TopologyError(f"server {name}: scheduler hint {key!r} must be a string "
                                "or a list of strings", resource=name)
    return dict(hints)


def _valet_groups(metadata, where):
    if not metadata:
        return []
    if not isinstance(metadata, dict):
        raise TopologyError(f"{where}: metadata must be an object")
    return values.group_names(metadata.get("valet"), where)


def _boots_from_volume(properties):
    if properties.get("image"):
        return False
    return bool(properties.get("block_device_mapping")
                or properties.get("block_device_mapping_v2"))


def _volume(orch_id, name, entry, properties):
    try:
        size = values.size_gb(properties.get("size"), f"volume {name}",
                              f"resources.{orch_id}.properties.size")
    except TopologyError as exc:
        raise TopologyError(exc.message, resource=name) from exc
    zone = properties.get("availability_zone") or None
    volume_type = properties.get("volume_type") or None
    return Volume(orch_id=orch_id, name=name, size_gb=size,
                  volume_type=str(volume_type) if volume_type else None,
                  availability_zone=str(zone) if zone else None,
                  resource_id=values.resource_id(entry.get("resource_id"), f"volume {name}",
                                                 f"resources.{orch_id}.resource_id"))


def _group(orch_id, name, properties, kind_key, name_key):
    kind = properties.get(kind_key)
    if kind not in GROUP_KINDS:
        raise TopologyError(f"group {name}: {kind_key} must be one of "
                            f"{', '.join(GROUP_KINDS)}, got {kind!r}", groups=[name])
    level = properties.get("level")
    if level not in LEVELS:
        raise TopologyError(f"group {name}: level must be one of {', '.join(LEVELS)}, "
                            f"got {level!r}", groups=[name])
    label = properties.get(name_key) or name
    try:
        limit = max_per_domain(kind, properties.get("max_per_domain"))
        strictness = enforcement(kind, properties.get("enforcement"))
    except ValueError as exc:
        raise TopologyError(f"group {name}: {exc}", groups=[name]) from exc
    return Group(key=orch_id, name=str(label), kind=kind, level=level, max_per_domain=limit,
                 enforcement=strictness)


def _member_list(properties, name):
    members = properties.get("resources")
    if not isinstance(members, list) or not members:
        raise TopologyError(f"group {name}: resources must be a non-empty list", groups=[name])
    return _references(members, f"group {name}", groups=[name])


def _pipe(orch_id, name, properties):
    ends = properties.get("resources")
    if not isinstance(ends, list) or len(ends) != 2:
        raise TopologyError(f"pipe {name}: resources must list exactly two members",
                            resource=name)
    field = f"resources.{orch_id}.properties"
    bandwidth = values.bandwidth_mbps(properties.get("bandwidth"), f"pipe {name}",
                                      f"{field}.bandwidth")
    maximum = properties.get("max_bandwidth")
    maximum = values.bandwidth_mbps(maximum, f"pipe {name}", f"{field}.max_bandwidth") \
        if maximum is not None else None
    ends = _references(ends, f"pipe {name}", resource=name)
    return Pipe(orch_id=orch_id, name=name, ends=tuple(ends),
                bandwidth=bandwidth, max_bandwidth=maximum)


def _references(items, where, **blame):
    """Read member references; a bad one is reported with its group or pipe."""
    try:
        return [values.reference(item) for item in items]
    except TopologyError as exc:
        raise TopologyError(f"{where}: {exc.message}", **blame) from exc
