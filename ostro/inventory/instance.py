"""A Nova instance as Valet reads it (from Nova's API or its notifications)."""

import dataclasses
import logging

from ostro.errors import OstroError
from ostro.parse import values

LOG = logging.getLogger(__name__)


#: What a server uses of each host dimension, from its flavor.
LOAD_DIMENSIONS = ("vcpus", "memory_mb", "disk_gb")


@dataclasses.dataclass(frozen=True)
class Instance:
    """One Nova instance as the reconciliation needs it."""

    id: str
    name: str
    host: str | None
    flavor: dict           # name, vcpus, ram, disk, ephemeral, swap
    groups: tuple = ()     # metadata.valet.groups
    project_id: str | None = None

    @property
    def load(self):
        """(vcpus, memory_mb, disk_gb) the server takes on its host."""
        flavor = self.flavor
        disk = flavor.get("disk", 0) + flavor.get("ephemeral", 0) + flavor.get("swap", 0) / 1024
        return (flavor.get("vcpus", 0), flavor.get("ram", 0), disk)


def groups_of(metadata, instance_id):
    """The Valet groups an instance's metadata names (``metadata.valet``);
    unreadable metadata names none (the instance still counts as load)."""
    try:
        return tuple(values.group_names((metadata or {}).get("valet"), f"instance {instance_id}"))
    except OstroError as exc:
        LOG.warning("instance %s: unreadable valet metadata (%s); no groups",
                    instance_id, exc.message)
        return ()
