"""The ``file`` inventory driver: a data centre from the YAML of DESIGN §8.

Every mistake is an :class:`~ostro.errors.InventoryError` naming the file,
the entry and the key, because an operator fixing a 10,000-line inventory
needs to know exactly where to look.
"""

import json
import math

import yaml

from ostro.errors import InventoryError
from ostro.model import datacenter as dc

_NUMBER = (int, float)

# Allowed keys per entry kind: key -> (accepted types, default, required).
_SCHEMAS = {
    "top": {"datacenter": (str, "dc", False), "defaults": (dict, {}, False),
            "flavors": (dict, {}, False), "clusters": (dict, {}, False),
            "racks": (dict, {}, True), "aggregates": (dict, {}, False),
            "hosts": (list, [], True), "storage_backends": (list, [], False)},
    "defaults": dict.fromkeys(dc.RATIO_KEYS, (_NUMBER, None, False)),
    "flavor": {"id": ((str, int), None, False), "vcpus": (int, None, True),
               "ram": (int, None, True), "disk": (int, 0, False),
               "ephemeral": (int, 0, False), "swap": (int, 0, False),
               "extra_specs": (dict, {}, False)},
    "cluster": {"uplink_mbps": (_NUMBER, math.inf, False)},
    "rack": {"cluster": (str, None, True), "uplink_mbps": (_NUMBER, math.inf, False)},
    "aggregate": {"metadata": (dict, {}, False),
                  **dict.fromkeys(dc.RATIO_KEYS, (_NUMBER, None, False))},
    "host": {"name": (str, None, True), "rack": (str, None, True),
             "availability_zone": (str, "nova", False), "vcpus": (int, None, True),
             "memory_mb": (int, None, True), "disk_gb": (int, None, True),
             "uplink_mbps": (_NUMBER, math.inf, False), "aggregates": (list, [], False),
             "enabled": (bool, True, False), "used": (dict, {}, False),
             **dict.fromkeys(dc.RATIO_KEYS, (_NUMBER, None, False))},
    "used": {"vcpus": (_NUMBER, 0, False), "memory_mb": (_NUMBER, 0, False),
             "disk_gb": (_NUMBER, 0, False)},
    "backend": {"name": (str, None, True), "rack": (str, None, False),
                "cluster": (str, None, False), "capacity_gb": (_NUMBER, None, True),
                "used_gb": (_NUMBER, 0, False), "volume_types": (list, [], False),
                "availability_zone": (str, "nova", False), "enabled": (bool, True, False)},
}


class _Reader:
    def __init__(self, source):
        self.source = source

    def fail(self, entry, key, problem):
        raise InventoryError(self.source, entry, key, problem)

    def fields(self, schema_name, entry, data):
        """Check ``data`` against a schema; return it with defaults filled in."""
        if not isinstance(data, dict):
            self.fail(entry, None, f"expected a mapping, got {type(data).__name__}")
        schema = _SCHEMAS[schema_name]
        for key in data:
            if key not in schema:
                self.fail(entry, key, f"unknown key (allowed: {', '.join(sorted(schema))})")
        result = {}
        for key, (types, default, required) in schema.items():
            if key not in data or data[key] is None:
                if required:
                    self.fail(entry, key, "required key is missing")
                result[key] = default
                continue
            value = data[key]
            # NOTE: bool is an int in Python; a capacity of "true" is a typo.
            if isinstance(value, bool) and bool not in _as_tuple(types):
                self.fail(entry, key, f"expected {_type_names(types)}, got a boolean")
            if not isinstance(value, types):
                self.fail(entry, key, f"expected {_type_names(types)}, got {value!r}")
            if isinstance(value, _NUMBER) and not isinstance(value, bool) and value < 0:
                self.fail(entry, key, f"must not be negative, got {value!r}")
            result[key] = value
        return result


def _text(value):
    """A metadata or extra-spec value as the string Nova would hold.

    NOTE: YAML turns ``true`` into a bool and ``{groups: [a]}`` into a dict;
    Python's ``str`` would give ``"True"`` and a repr no JSON reader accepts,
    so ``ssd: true`` would never match a flavor's ``"true"``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _as_tuple(types):
    return types if isinstance(types, tuple) else (types,)


def _type_names(types):
    return " or ".join(t.__name__ for t in _as_tuple(types))


def load(path):
    """Read the inventory YAML at ``path`` into a :class:`Datacenter`."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except OSError as exc:
        raise InventoryError(path, "file", None, exc.strerror or str(exc)) from exc
    return loads(text, source=path)


def loads(text, source="<inventory>"):
    reader = _Reader(source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InventoryError(source, "file", None, f"not valid YAML: {exc}") from exc
    return build(data, source, reader)


def build(data, source="<inventory>", reader=None):
    """Build a :class:`Datacenter` from already-parsed inventory data."""
    reader = reader or _Reader(source)
    top = reader.fields("top", "top level", data if data is not None else {})
    defaults = {key: value for key, value in
                reader.fields("defaults", "defaults", top["defaults"]).items()
                if value is not None}
    flavors = _flavors(reader, top["flavors"])
    clusters = {name: dc.Domain(name, "cluster", None,
                                reader.fields("cluster", f"clusters.{name}", spec or {})
                                ["uplink_mbps"])
                for name, spec in top["clusters"].items()}
    racks = _racks(reader, top["racks"], clusters)
    aggregates = _aggregates(reader, top["aggregates"])
    hosts = _hosts(reader, top["hosts"], racks, aggregates)
    backends = _backends(reader, top["storage_backends"], racks, clusters, hosts)
    return dc.Datacenter(name=top["datacenter"], hosts=hosts, racks=racks,
                         clusters=clusters, backends=backends, aggregates=aggregates,
                         flavors=flavors, defaults=defaults)


def _flavors(reader, entries):
    flavors = {}
    for name, spec in entries.items():
        fields = reader.fields("flavor", f"flavors.{name}", spec)
        flavor_id = None if fields["id"] is None else str(fields["id"])
        flavors[str(name)] = dc.Flavor(
            name=str(name), id=flavor_id, vcpus=fields["vcpus"], ram=fields["ram"],
            disk=fields["disk"], ephemeral=fields["ephemeral"], swap=fields["swap"],
            extra_specs={str(k): _text(v) for k, v in fields["extra_specs"].items()})
    return flavors


def _racks(reader, entries, clusters):
    racks = {}
    for name, spec in entries.items():
        entry = f"racks.{name}"
        fields = reader.fields("rack", entry, spec)
        cluster = fields["cluster"]
        if cluster not in clusters:
            # NOTE: a cluster named only by its racks is implicit with no uplink limit.
            clusters[cluster] = dc.Domain(cluster, "cluster")
        racks[name] = dc.Domain(name, "rack", cluster, fields["uplink_mbps"])
    return racks


def _aggregates(reader, entries):
    aggregates = {}
    for name, spec in entries.items():
        fields = reader.fields("aggregate", f"aggregates.{name}", spec or {})
        ratios = {key: fields[key] for key in dc.RATIO_KEYS if fields[key] is not None}
        metadata = {str(k): _text(v) for k, v in fields["metadata"].items()}
        aggregates[name] = dc.Aggregate(name, metadata, ratios)
    return aggregates


def _hosts(reader, entries, racks, aggregates):
    hosts = {}
    for index, spec in enumerate(entries):
        name = spec.get("name") if isinstance(spec, dict) else None
        entry = f"hosts[{index}]" + (f" ({name})" if name else "")
        fields = reader.fields("host", entry, spec)
        if fields["name"] in hosts:
            reader.fail(entry, "name", "duplicate host name")
        if fields["rack"] not in racks:
            reader.fail(entry, "rack", f"unknown rack {fields['rack']!r}")
        for aggregate in fields["aggregates"]:
            if not isinstance(aggregate, str) or aggregate not in aggregates:
                reader.fail(entry, "aggregates", f"unknown aggregate {aggregate!r}")
        used = reader.fields("used", f"{entry}.used", fields["used"])
        rack = racks[fields["rack"]]
        hosts[fields["name"]] = dc.Host(
            name=fields["name"], rack=rack.name, cluster=rack.parent,
            vcpus=fields["vcpus"], memory_mb=fields["memory_mb"], disk_gb=fields["disk_gb"],
            availability_zone=fields["availability_zone"], uplink_mbps=fields["uplink_mbps"],
            aggregates=tuple(fields["aggregates"]), enabled=fields["enabled"],
            ratios={key: fields[key] for key in dc.RATIO_KEYS if fields[key] is not None},
            used=used)
    return hosts


def _backends(reader, entries, racks, clusters, hosts):
    backends = {}
    for index, spec in enumerate(entries):
        name = spec.get("name") if isinstance(spec, dict) else None
        entry = f"storage_backends[{index}]" + (f" ({name})" if name else "")
        fields = reader.fields("backend", entry, spec)
        if fields["name"] in backends or fields["name"] in hosts:
            reader.fail(entry, "name", "duplicate location name")
        rack, cluster = fields["rack"], fields["cluster"]
        if rack is not None:
            if rack not in racks:
                reader.fail(entry, "rack", f"unknown rack {rack!r}")
            if cluster is not None and cluster != racks[rack].parent:
                reader.fail(entry, "cluster", f"rack {rack} is in cluster {racks[rack].parent}")
            cluster = racks[rack].parent
        elif cluster is not None and cluster not in clusters:
            reader.fail(entry, "cluster", f"unknown cluster {cluster!r}")
        backends[fields["name"]] = dc.StorageBackend(
            name=fields["name"], capacity_gb=fields["capacity_gb"], rack=rack, cluster=cluster,
            volume_types=tuple(str(t) for t in fields["volume_types"]),
            availability_zone=fields["availability_zone"], used_gb=fields["used_gb"],
            enabled=fields["enabled"])
    return backends
