"""Which rack and cluster a Nova compute host is in.

Nova knows nothing of racks, so the ``nova`` inventory driver asks, in order:

1. the host's aggregates' metadata (``[inventory] rack_metadata_key``,
   ``cluster_metadata_key``): what an operator sets with
   ``openstack aggregate set --property valet_rack=r05 ...``;
2. the host name, matched by ``[inventory] host_name_pattern`` with the named
   groups ``rack`` and ``cluster`` (the default reads the original Valet's
   convention: ``pdk15r05c001`` is rack ``pdk15r05`` of cluster ``pdk15``);
3. a YAML mapping file (``[inventory] topology_file``):
   ``{host: {rack: ..., cluster: ...}}``.

A host none of them places has no rack: :func:`resolve` says so and the
driver reports it; it is never lumped into a shared rack, which would make
diversity rules believe servers are apart when they may not be.
"""

import logging
import re

import yaml

from ostro.errors import InventoryError

LOG = logging.getLogger(__name__)

#: Rack name given to a host (or Cinder pool) no source placed.
UNRACKED = "unracked:{host}"

#: The original Valet's host names: site+number, ``r`` rack number, ``c`` compute number.
DEFAULT_PATTERN = r"^(?P<rack>(?P<cluster>[a-zA-Z]+\d+)r\d+)c\d+$"


class Naming:
    """The three sources of rack and cluster names, in their order."""

    def __init__(self, rack_key="valet_rack", cluster_key="valet_cluster",
                 pattern=DEFAULT_PATTERN, mapping=None):
        self.rack_key, self.cluster_key = rack_key, cluster_key
        self.pattern = re.compile(pattern) if pattern else None
        if self.pattern is not None and "rack" not in self.pattern.groupindex:
            raise InventoryError("[inventory] host_name_pattern", "pattern", None,
                                 "needs a named group (?P<rack>...)")
        self.mapping = mapping or {}

    @classmethod
    def from_conf(cls, conf):
        group = conf.inventory
        return cls(group.rack_metadata_key, group.cluster_metadata_key,
                   group.host_name_pattern, load_mapping(group.topology_file))

    def resolve(self, host, metadata):
        """``(rack, cluster)`` of ``host`` whose aggregates' metadata is
        ``metadata`` (key -> set of values); either may be None."""
        rack = _one(host, self.rack_key, metadata)
        cluster = _one(host, self.cluster_key, metadata)
        match = self.pattern.match(host) if self.pattern is not None else None
        if match is not None:
            rack = rack or match.group("rack")
            if "cluster" in self.pattern.groupindex:
                cluster = cluster or match.group("cluster")
        mapped = self.mapping.get(host) or {}
        return rack or mapped.get("rack"), cluster or mapped.get("cluster")


def _one(host, key, metadata):
    values = sorted(metadata.get(key, ()))
    if len(values) > 1:
        LOG.warning("host %s: its aggregates disagree on %s (%s); using %s",
                    host, key, ", ".join(values), values[0])
    return values[0] if values else None


def load_mapping(path):
    """``{host: {"rack": ..., "cluster": ...}}`` from the YAML at ``path`` (None: empty)."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InventoryError(path, "file", None, str(exc)) from exc
    if not isinstance(data, dict):
        raise InventoryError(path, "top level", None, "must map host names to racks")
    mapping = {}
    for host, spec in data.items():
        if isinstance(spec, str):
            spec = {"rack": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("rack"), str):
            raise InventoryError(path, str(host), "rack", "needs a rack name")
        mapping[str(host)] = {"rack": spec["rack"], "cluster": spec.get("cluster")}
    return mapping
