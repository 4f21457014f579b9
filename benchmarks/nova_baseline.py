"""What Nova alone would do with a stack: place it server by server.

The baseline runs nova's own scheduler classes on real ``HostState`` and
``RequestSpec`` objects: ``ServerGroupAffinityFilter``,
``ServerGroupAntiAffinityFilter`` and ``AggregateInstanceExtraSpecsFilter``
through nova's ``HostFilterHandler``, then ``RAMWeigher`` and ``CPUWeigher``
through nova's ``HostWeightHandler``, and takes the best host, as Nova's
``SchedulerManager`` does with ``host_subset_size = 1``. Nova leaves
capacity, availability zones and disabled hosts to the placement service
(its CoreFilter and RamFilter are gone); :func:`placement_candidates` stands
in for placement, with the same capacity Valet computes so that both count
capacity alike, and like placement it hands over at most
``[scheduler] max_placement_results`` (1000) hosts.

NOTE: Nova can express only host-level affinity and anti-affinity, one server
group per server. Every other rule — rack and cluster levels, exclusivity,
diversity over nested groups, pipes, a second group on one server — is not
given to Nova, and the benchmark counts what it breaks (with ``ostro.verify``)
as the baseline's violations. Volumes are Cinder's business, not Nova's: the
baseline leaves every volume unplaced (``None``).

Nova is imported only inside functions (it takes about 2 s and is an
optional ``bench`` extra), so importing this module needs no nova.
"""

import contextlib
import functools
import types
import uuid
import warnings

from ostro.config import EngineSettings

MODES = ("default", "pack")

#: Weigher multipliers per mode; ``None`` keeps nova's default (1.0, spread).
_MULTIPLIERS = {"default": None, "pack": -1.0}
_MULTIPLIER_OPTIONS = ("ram_weight_multiplier", "cpu_weight_multiplier")

# Stable instance UUIDs per orchestration id, so runs are reproducible.
_UUID_NAMESPACE = uuid.UUID("7d3c1c8e-2b8f-4f39-9d4e-6a1c0c2f5b10")


def place(datacenter, stack, mode="default", settings=None):
    """orch id -> host name (or ``None``) for every resource of ``stack``.

    ``mode`` ``"default"`` uses nova's default weigher multipliers (spread);
    ``"pack"`` sets ``ram_weight_multiplier`` and ``cpu_weight_multiplier``
    to -1.0 on ``nova.conf.CONF`` for the duration of the call.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    nova = _nova()
    settings = settings or EngineSettings()
    hosts = host_states(datacenter, settings)
    groups = server_groups(stack)
    group_hosts = {key: [] for key, _, _ in groups.values()}
    placements = dict.fromkeys(stack.resources)
    limit = nova.conf.scheduler.max_placement_results
    with _multipliers(nova.conf, _MULTIPLIERS[mode]):
        for server in stack.servers():
            spec = request_spec(server, datacenter, groups.get(server.orch_id), group_hosts)
            candidates = placement_candidates(hosts, server, limit)
            chosen = _select(nova, candidates, spec)
            if chosen is None:
                continue
            _consume(nova, chosen, spec)
            placements[server.orch_id] = chosen.host
            if server.orch_id in groups:
                group_hosts[groups[server.orch_id][0]].append(chosen.host)
    return placements


@functools.cache
def _nova():
    """Import nova once, register its versioned objects, make the filters
    and weighers (they keep no state between requests).

    NOTE: no ``nova.conf.CONF(...)`` call is needed: the filters and weighers
    used here read options that have defaults at import, and
    ``CONF.set_override`` works on an unparsed CONF. Not parsing keeps the
    baseline from reading a host's /etc/nova/nova.conf.
    """
    with warnings.catch_warnings():
        # NOTE: eventlet (pulled in by nova's oslo libraries) warns on import
        # that it is deprecated, with a category of its own; it is noise here.
        warnings.simplefilter("ignore")
        import nova.conf
        from nova import objects
        from nova.scheduler import filters, host_manager, weights
        from nova.scheduler.filters import affinity_filter, aggregate_instance_extra_specs
        from nova.scheduler.weights import cpu, ram
    objects.register_all()
    return types.SimpleNamespace(
        conf=nova.conf.CONF, objects=objects, host_manager=host_manager,
        filter_handler=filters.HostFilterHandler(),
        filters=[aggregate_instance_extra_specs.AggregateInstanceExtraSpecsFilter(),
                 affinity_filter.ServerGroupAffinityFilter(),
                 affinity_filter.ServerGroupAntiAffinityFilter()],
        weight_handler=weights.HostWeightHandler(),
        weighers=[ram.RAMWeigher(), cpu.CPUWeigher()])


def host_states(datacenter, settings):
    """A real nova ``HostState`` per enabled host of ``datacenter``.

    Disabled hosts are left out, as placement and nova's ComputeFilter
    would leave them out.
    """
    nova = _nova()
    aggregates = {name: nova.objects.Aggregate(name=name, metadata=dict(aggregate.metadata))
                  for name, aggregate in datacenter.aggregates.items()}
    return [_host_state(nova, datacenter, host, settings, aggregates)
            for host in datacenter.hosts.values() if host.enabled]


def _host_state(nova, datacenter, host, settings, aggregates):
    """Usage is the host's foreign load; ratios and ``limits`` (capacity)
    are the ones Valet uses, so both sides judge room alike."""
    state = nova.host_manager.HostState(host.name, host.name, None)
    used = host.used
    state.vcpus_total = host.vcpus
    state.vcpus_used = used.get("vcpus", 0)
    state.total_usable_ram_mb = host.memory_mb
    state.free_ram_mb = host.memory_mb - used.get("memory_mb", 0)
    state.total_usable_disk_gb = host.disk_gb
    state.disk_mb_used = used.get("disk_gb", 0) * 1024
    state.free_disk_mb = host.disk_gb * 1024 - state.disk_mb_used
    for key, default in (("cpu_allocation_ratio", settings.default_cpu_allocation_ratio),
                         ("ram_allocation_ratio", settings.default_ram_allocation_ratio),
                         ("disk_allocation_ratio", settings.default_disk_allocation_ratio)):
        setattr(state, key, datacenter.ratio(host, key, default))
    vcpus, memory_mb, disk_gb = datacenter.capacity(host, settings)
    state.limits = {"vcpu": vcpus, "memory_mb": memory_mb, "disk_gb": disk_gb}
    state.aggregates = [aggregates[name] for name in host.aggregates]
    # NOTE: not a HostState attribute in nova (placement knows zones);
    # placement_candidates stands in for placement and reads it.
    state.availability_zone = host.availability_zone
    return state


def server_groups(stack):
    """orch id -> (group key, nova policy, member orch ids) for the one Nova
    server group each server would join.

    Only host-level groups Nova can state: affinity, and diversity whose
    members are all single servers (anti-affinity knows no nested units).
    A server in several such groups joins the first, as Nova allows one.
    """
    chosen = {}
    for key, group in stack.groups.items():
        policy = _nova_policy(stack, key, group)
        if policy is None:
            continue
        members = [leaf for leaf in stack.leaves(key)
                   if getattr(stack.resources.get(leaf), "kind", None) == "server"]
        for orch_id in members:
            chosen.setdefault(orch_id, (key, policy, members))
    return chosen


def _nova_policy(stack, key, group):
    if group.level != "host":
        return None
    if group.kind == "affinity":
        return "affinity"
    if group.kind == "diversity" and all(leaf == unit for leaf, unit in stack.units(key).items()):
        return "anti-affinity"
    return None


def request_spec(server, datacenter, group, group_hosts):
    """A real ``RequestSpec`` for ``server``; ``group`` is its entry of
    :func:`server_groups` (or ``None``), ``group_hosts`` the hosts each
    group's members got so far (what nova's conductor reads from its DB)."""
    nova = _nova()
    flavor = datacenter.flavors.get(server.flavor)
    # NOTE: root_gb carries the server's whole local disk as Valet counts it
    # (root, ephemeral and swap, or none when booted from a volume) so that
    # nova's consume_from_request, placement_candidates and ostro.verify agree.
    nova_flavor = nova.objects.Flavor(
        name=server.flavor, flavorid=str(getattr(flavor, "id", None) or server.flavor),
        vcpus=server.vcpus, memory_mb=server.memory_mb, root_gb=server.disk_gb,
        ephemeral_gb=0, swap=0, extra_specs=dict(server.extra_specs))
    instance_group = None
    if group is not None:
        key, policy, members = group
        instance_group = nova.objects.InstanceGroup(
            uuid=str(uuid.uuid5(_UUID_NAMESPACE, key)), name=key, policy=policy,
            policies=[policy], rules={}, members=[_instance_uuid(m) for m in members],
            hosts=list(group_hosts[key]))
    return nova.objects.RequestSpec(
        flavor=nova_flavor, instance_uuid=_instance_uuid(server.orch_id), num_instances=1,
        availability_zone=server.availability_zone, instance_group=instance_group,
        pci_requests=None, numa_topology=None, scheduler_hints={})


def _instance_uuid(orch_id):
    return str(uuid.uuid5(_UUID_NAMESPACE, orch_id))


def placement_candidates(hosts, server, limit):
    """What placement hands the scheduler: at most ``limit`` hosts (nova's
    ``[scheduler] max_placement_results``, in provider order) that are in
    the server's zone and have room for it.

    Room is ``HostState`` usage plus the server within ``limits``, which
    :func:`host_states` fills with Valet's capacity of the host.

    NOTE: as in real Nova, the limit applies before the server-group filters,
    so in a data centre of more than ``limit`` roomy hosts an affinity
    group's host may not be among the candidates and its next member fails.
    """
    candidates = []
    for state in hosts:
        if server.availability_zone and state.availability_zone != server.availability_zone:
            continue
        used_ram = state.total_usable_ram_mb - state.free_ram_mb
        used_disk_gb = state.total_usable_disk_gb - state.free_disk_mb / 1024
        limits = state.limits
        if (state.vcpus_used + server.vcpus <= limits["vcpu"]
                and used_ram + server.memory_mb <= limits["memory_mb"]
                and used_disk_gb + server.disk_gb <= limits["disk_gb"]):
            candidates.append(state)
            if len(candidates) == limit:
                break
    return candidates


def _select(nova, hosts, spec):
    """Nova's filter-then-weigh for one instance; the best host or ``None``."""
    passing = nova.filter_handler.get_filtered_objects(nova.filters, hosts, spec)
    if not passing:
        return None
    weighed = nova.weight_handler.get_weighed_objects(nova.weighers, passing, spec)
    return weighed[0].obj


def _consume(nova, host_state, spec):
    """As nova's ``_consume_selected_host``: use the resources and record the
    instance, which ServerGroupAntiAffinityFilter reads from ``instances``."""
    host_state.consume_from_request(spec)
    host_state.instances[spec.instance_uuid] = nova.objects.Instance(uuid=spec.instance_uuid)


@contextlib.contextmanager
def _multipliers(conf, value):
    """Set the weigher multipliers on nova's CONF for a block, then restore."""
    if value is None:
        yield
        return
    for option in _MULTIPLIER_OPTIONS:
        conf.set_override(option, value, group="filter_scheduler")
    try:
        yield
    finally:
        for option in _MULTIPLIER_OPTIONS:
            conf.clear_override(option, group="filter_scheduler")
