"""The ``nova`` inventory driver: the data centre read from Nova's API.

:func:`read` asks Nova (python-novaclient on a keystoneauth1 session made
from ``[inventory]``'s auth options) for everything placement depends on
and returns it as a :class:`~ostro.inventory.cloud.Cloud`:

* hypervisors: capacity (vCPUs, RAM, local disk), state and status;
* nova-compute services: disabled, forced down or not reporting;
* aggregates: hosts and metadata (allocation ratios, rack/cluster keys);
* availability zones and their hosts;
* flavors with their extra specs;
* the servers of every project: host, flavor, ``metadata.valet.groups``.

Only the leader engine reads it (:mod:`ostro.daemon.sync`); every
other engine and API worker gets the resulting data centre from the store.
"""

import logging

from novaclient import client as nova_client

from ostro.inventory import keystone
from ostro.inventory.cloud import Cloud
from ostro.inventory.instance import Instance, groups_of

LOG = logging.getLogger(__name__)


def client(conf, **session_options):
    """A novaclient on ``[inventory]``'s keystoneauth1 credentials
    (``session_options``: more keystoneauth1 Session arguments)."""
    group = conf.inventory
    return nova_client.Client(group.compute_api_version,
                              session=keystone.session(conf, **session_options),
                              region_name=group.region_name, endpoint_type=group.interface,
                              endpoint_override=group.endpoint_override)


def read(nova):
    """Everything Valet needs from ``nova`` (a novaclient Client)."""
    cloud = Cloud()
    for hypervisor in nova.hypervisors.list(detailed=True):
        host = _hypervisor_host(hypervisor)
        cloud.hosts[host] = {
            "vcpus": hypervisor.vcpus, "memory_mb": hypervisor.memory_mb,
            "disk_gb": hypervisor.local_gb, "state": hypervisor.state,
            "status": hypervisor.status}
    for service in nova.services.list(binary="nova-compute"):
        forced_down = bool(getattr(service, "forced_down", False))
        cloud.services[service.host] = {
            "disabled": service.status == "disabled" or forced_down,
            "up": service.state == "up" and not forced_down}
    for aggregate in nova.aggregates.list():
        cloud.aggregates[aggregate.name] = {"metadata": dict(aggregate.metadata or {}),
                                            "hosts": list(aggregate.hosts or [])}
    for zone in nova.availability_zones.list(detailed=True):
        for host, services in (zone.hosts or {}).items():
            if "nova-compute" in services:
                cloud.zones[host] = zone.zoneName
    for flavor in nova.flavors.list(is_public=None):
        cloud.flavors[flavor.name] = _flavor(flavor)
    for server in nova.servers.list(detailed=True, search_opts={"all_tenants": True},
                                    limit=-1):
        found = _server(server)
        cloud.servers[found.id] = found
    LOG.info("read from nova: %d hosts, %d aggregates, %d flavors, %d servers",
             len(cloud.hosts), len(cloud.aggregates), len(cloud.flavors), len(cloud.servers))
    return cloud


def _hypervisor_host(hypervisor):
    # NOTE: the compute service's host is what servers and aggregates name;
    # the hypervisor hostname may differ (e.g. ironic nodes, FQDNs).
    service = getattr(hypervisor, "service", None) or {}
    return service.get("host") or hypervisor.hypervisor_hostname


def _flavor(flavor):
    extra_specs = getattr(flavor, "extra_specs", None)
    if extra_specs is None:
        extra_specs = flavor.get_keys()
    return {"id": str(flavor.id), "vcpus": flavor.vcpus, "ram": flavor.ram,
            "disk": flavor.disk, "ephemeral": getattr(flavor, "OS-FLV-EXT-DATA:ephemeral", 0),
            "swap": flavor.swap or 0,
            "extra_specs": {str(k): str(v) for k, v in (extra_specs or {}).items()}}


def _server(server):
    # NOTE: microversion 2.47+ embeds the flavor (original_name, sizes), so
    # a server's load is known even after its flavor was deleted.
    flavor = server.flavor or {}
    groups = groups_of(server.metadata, server.id)
    return Instance(
        id=server.id, name=server.name, host=getattr(server, "OS-EXT-SRV-ATTR:host", None),
        project_id=getattr(server, "tenant_id", None), groups=groups,
        flavor={"name": flavor.get("original_name"), "vcpus": flavor.get("vcpus", 0),
                "ram": flavor.get("ram", 0), "disk": flavor.get("disk", 0),
                "ephemeral": flavor.get("ephemeral", 0), "swap": flavor.get("swap", 0) or 0})
