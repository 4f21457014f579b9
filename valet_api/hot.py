"""A Heat (HOT) template as a plan's ``resources``, without Heat.

``POST /v1/plans`` takes ``template`` (with ``parameters`` and an
``environment``) instead of ``resources``, so a template author, ``valet
plan create --template`` and the dashboard can ask "would it fit?" before
Heat ever sees the stack.  The resources are those Heat's lifecycle plugin
sends (:mod:`valet_openstack.heat.plan`): servers, volumes, Valet's group
declarations and QoS pipes, with the properties the engine reads and each
resource's ``metadata``; everything else (networks, ports, outputs) is left
out.  Names are the resource names, and the members of an
``OS::Heat::ResourceGroup`` are ``<group>.<index>``, the names the plugin
gives a nested stack's resources; a group declaration that lists a
ResourceGroup holds its members.  Orchestration ids (Heat's uuids do not
exist yet) are derived from the stack id and the name, so two stacks of one
template never share one, and the same stack always gets the same ones.

Parameter values come from the request's ``parameters``, then the
environment's ``parameters`` and ``parameter_defaults``, then the template's
defaults, converted by the parameter's type as Heat does.  ``get_param``,
``get_resource``, ``str_replace``, ``list_join`` and ``get_attr`` (unknown
before the stack exists: null) are resolved; other functions are left as
written.  Nested templates (a type naming a file) cannot be read here and
are left out.  Any problem is a 400 naming the resource or the parameter.
"""

import json
import uuid

import yaml

from valet_api import errors, inputs

SERVER, VOLUME = "OS::Nova::Server", "OS::Cinder::Volume"
RESOURCE_GROUP = "OS::Heat::ResourceGroup"
#: Valet's own server and volume types (valet_openstack/heat/resources.py):
#: the plugin sends them as what they are.
PLANNED_TYPES = {"OS::Valet::Server": SERVER, "OS::Valet::Volume": VOLUME}
#: Orchestration ids of a template's resources: uuid5(this, "<stack>/<name>").
ORCH_NAMESPACE = uuid.UUID("3d0c6f4e-92b5-4c55-8d57-7c8d3f1f5a20")
#: The properties the engine reads of each type (as the Heat plugin sends).
PROPERTIES = {
    SERVER: ("flavor", "image", "availability_zone", "metadata", "block_device_mapping",
             "block_device_mapping_v2", "scheduler_hints"),
    VOLUME: ("size", "volume_type", "availability_zone"),
}
DECLARATION_PROPERTIES = ("group_type", "group_name", "relationship", "name", "level",
                          "resources", "bandwidth", "max_bandwidth", "max_per_domain",
                          "enforcement")
for _kind in ("OS::Valet::GroupAssignment", "ATT::Valet::GroupAssignment",
              "ATT::QoS::ResourceGroup", "ATT::CloudQoS::ResourceGroup",
              "ATT::QoS::Pipe", "ATT::CloudQoS::Pipe"):
    PROPERTIES[_kind] = DECLARATION_PROPERTIES

#: Resources one template may expand to (ResourceGroup counts included):
#: the engine refuses far fewer ([engine] max_resources_per_plan); this only
#: keeps a count of 10**9 from being expanded to be refused.
MAX_EXPANDED = 10_000


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors and aliases: HOT needs none, and an alias
    repeated in aliases grows exponentially once copied into JSON."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("anchors and aliases (*name) are not allowed")
        return super().compose_node(parent, index)


def document(value, field):
    """``value`` (YAML or JSON text, or an object) as checked JSON data."""
    if isinstance(value, str):
        try:
            value = yaml.load(value, Loader=_NoAliases)  # noqa: S506 (a SafeLoader)
        except RecursionError as exc:
            raise errors.BadRequest(f"field {field} is nested too deep") from exc
        except yaml.YAMLError as exc:
            raise errors.BadRequest(f"field {field} is not YAML: {exc}") from exc
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise errors.BadRequest(f"field {field} must be a mapping")
    # NOTE: through the body's own JSON checks (depth, NaN, NUL, 64-bit
    # integers); YAML's dates become their text, as Heat reads them.
    return inputs.decode(json.dumps(value, default=str).encode())


def resources(template, parameters=None, environment=None, stack_id=None):
    """The plan ``resources`` of ``template`` with ``parameters`` (an object)
    and ``environment`` (text or an object), for stack ``stack_id`` (None:
    a dry run's, whose ids are fresh each time)."""
    template = document(template, "template")
    environment = document(environment, "environment")
    if not isinstance(template.get("resources") or {}, dict):
        raise errors.BadRequest("field template: resources must be a mapping")
    values = _parameters(template, parameters or {}, environment)
    aliases = {name: kind for name, kind in (environment.get("resource_registry") or {})
               .items() if isinstance(kind, str) and not kind.endswith((".yaml", ".yml",
                                                                        ".template"))}
    resolver = _Resolver(values, set(template.get("resources") or {}))
    out, expanded = {}, {}
    for name, definition in (template.get("resources") or {}).items():
        where = f"template: resource {inputs.shown(name)}"
        if not isinstance(definition, dict):
            raise errors.BadRequest(f"{where} must be a mapping")
        kind = _kind(aliases, definition.get("type"))
        if kind == RESOURCE_GROUP:
            expanded[name] = _expand(name, definition, resolver, aliases, out, where)
        elif kind in PROPERTIES:
            out[name] = _entry(name, kind, definition, resolver, where)
        if len(out) > MAX_EXPANDED:
            raise errors.RequestTooLarge(f"the template expands to more than {MAX_EXPANDED} "
                                         "resources")
    for entry in out.values():
        members = entry["properties"].get("resources")
        if isinstance(members, list):
            entry["properties"]["resources"] = [
                name for member in members
                for name in (expanded.get(member, [member]) if isinstance(member, str)
                             else [member])]
    prefix = stack_id or str(uuid.uuid4())
    return {str(uuid.uuid5(ORCH_NAMESPACE, f"{prefix}/{name}")): entry
            for name, entry in out.items()}


def _kind(aliases, kind):
    kind = aliases.get(kind, kind)
    return PLANNED_TYPES.get(kind, kind)


def _entry(name, kind, definition, resolver, where, index=None):
    properties = definition.get("properties") or {}
    if not isinstance(properties, dict):
        raise errors.BadRequest(f"{where}: properties must be a mapping")
    wanted = {key: resolver.value(properties[key], f"{where}: {key}", index)
              for key in PROPERTIES[kind] if key in properties}
    entry = {"type": kind, "name": name,
             "properties": {key: value for key, value in wanted.items()
                            if value not in (None, [], {})}}
    metadata = resolver.value(definition.get("metadata"), f"{where}: metadata", index)
    if metadata:
        entry["metadata"] = metadata
    return entry


def _expand(name, definition, resolver, aliases, out, where):
    """A ResourceGroup's members as ``<name>.<index>`` resources (into
    ``out``); their names."""
    properties = resolver.value(definition.get("properties") or {}, where)
    if not isinstance(properties, dict):
        raise errors.BadRequest(f"{where}: properties must be a mapping")
    count = properties.get("count", 1)
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise errors.BadRequest(f"{where}: count must be a whole number, not {count!r}")
    if count > MAX_EXPANDED:
        raise errors.RequestTooLarge(f"{where}: count {count} is over {MAX_EXPANDED}")
    member = properties.get("resource_def")
    if not isinstance(member, dict):
        raise errors.BadRequest(f"{where}: resource_def must be a mapping")
    kind = _kind(aliases, member.get("type"))
    names = [f"{name}.{index}" for index in range(count)]
    if kind not in PROPERTIES:
        return []
    index_var = properties.get("index_var", "%index%")
    for index, member_name in enumerate(names):
        out[member_name] = _entry(member_name, kind, member, resolver, f"{where}[{index}]",
                                  (index_var, str(index)))
    return names


def _parameters(template, given, environment):
    declared = template.get("parameters") or {}
    if not isinstance(declared, dict) or not isinstance(given, dict):
        raise errors.BadRequest("template parameters and field parameters must be mappings")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise errors.BadRequest(f"field parameters: the template has no parameter(s) "
                                f"{', '.join(map(inputs.shown, unknown))}")
    layers = (given, environment.get("parameters") or {},
              environment.get("parameter_defaults") or {})
    values = {}
    for name, schema in declared.items():
        schema = schema if isinstance(schema, dict) else {}
        found = next((layer[name] for layer in layers if name in layer), schema.get("default"))
        if found is None:
            raise errors.BadRequest(f"parameter {inputs.shown(name)} has no value and no "
                                    "default")
        values[name] = _typed(name, schema.get("type", "string"), found)
    return values


def _typed(name, kind, value):
    """``value`` as Heat reads a parameter of type ``kind``."""
    try:
        if kind == "number":
            if isinstance(value, str):
                value = float(value) if any(c in value for c in ".eE") else int(value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(value)
        elif kind == "comma_delimited_list" and isinstance(value, str):
            value = [part.strip() for part in value.split(",")] if value else []
        elif kind == "json" and isinstance(value, str):
            value = json.loads(value)
        elif kind == "boolean" and isinstance(value, str):
            value = {"true": True, "yes": True, "on": True, "1": True, "t": True, "y": True,
                     "false": False, "no": False, "off": False, "0": False, "f": False,
                     "n": False}[value.lower()]
        elif kind == "string" and not isinstance(value, str):
            value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    except (ValueError, KeyError) as exc:
        raise errors.BadRequest(f"parameter {inputs.shown(name)}: {inputs.shown(str(value))} "
                                f"is not a {kind}") from exc
    return value


class _Resolver:
    """Heat's intrinsic functions over parameter values and resource names."""

    def __init__(self, parameters, names):
        self.parameters, self.names = parameters, names

    def value(self, data, where, index=None):
        if isinstance(data, str):
            return data.replace(*index) if index else data
        if isinstance(data, list):
            return [self.value(item, where, index) for item in data]
        if not isinstance(data, dict):
            return data
        if len(data) == 1:
            (function, argument), = data.items()
            call = getattr(self, "_" + function, None) if function in FUNCTIONS else None
            if call is not None:
                return call(self.value(argument, where, index), where)
        return {key: self.value(item, where, index) for key, item in data.items()}

    def _get_param(self, argument, where):
        path = argument if isinstance(argument, list) else [argument]
        if not path or path[0] not in self.parameters:
            raise errors.BadRequest(f"{where}: get_param of unknown parameter "
                                    f"{inputs.shown(str(path[0] if path else ''))}")
        value = self.parameters[path[0]]
        for key in path[1:]:
            try:
                value = value[int(key) if isinstance(value, list) else key]
            except (LookupError, TypeError, ValueError) as exc:
                raise errors.BadRequest(f"{where}: get_param {path!r} names nothing") from exc
        return value

    def _get_resource(self, argument, where):
        if argument not in self.names:
            raise errors.BadRequest(f"{where}: get_resource of unknown resource "
                                    f"{inputs.shown(str(argument))}")
        return argument

    def _get_attr(self, argument, where):
        return None     # NOTE: attributes exist once Heat has created the resource

    def _str_replace(self, argument, where):
        if not isinstance(argument, dict) or not isinstance(argument.get("template"), str):
            raise errors.BadRequest(f"{where}: str_replace needs a template string")
        text = argument["template"]
        for key, value in (argument.get("params") or {}).items():
            text = text.replace(str(key), value if isinstance(value, str) else
                                json.dumps(value))
        return text

    def _list_join(self, argument, where):
        if not isinstance(argument, list) or len(argument) < 2 or \
                not isinstance(argument[0], str):
            raise errors.BadRequest(f"{where}: list_join needs [separator, list, ...]")
        parts = [item for group in argument[1:] for item in
                 (group if isinstance(group, list) else [group])]
        return argument[0].join(str(part) for part in parts)


#: The functions :class:`_Resolver` resolves.
FUNCTIONS = ("get_param", "get_resource", "get_attr", "str_replace", "list_join")
