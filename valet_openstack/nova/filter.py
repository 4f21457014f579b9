"""``ValetFilter`` (alias ``AllegroFilter``): nova-scheduler passes only the
host Valet planned for the instance (DESIGN §2, step 5).

Configure it last in ``[filter_scheduler] enabled_filters`` so Valet chooses
among the hosts every other filter accepted (doc/openstack.md).  It asks
Valet once per instance, with every candidate host (``filter_all``), and
finds the instance's placement by, in order:

1. the Heat scheduler hint ``heat_resource_uuid`` (Heat sends it with
   ``stack_scheduler_hints = true``): the orchestration id of a planned stack;
2. the instance uuid, Valet's resource id of a placement already reserved
   for it (a resize, a cold migration, an evacuation: Valet keeps the host
   if it is still a candidate, else re-plans that server within them);
3. neither: a server booted without Heat gets an *ad hoc* one-server plan
   within the candidates, joining the named groups of the scheduler hint
   ``valet_groups`` (a list, or a comma-separated string, of names or ids)
   and, booted into a Nova server group (``--hint group=<uuid>``) with a
   hard policy, the Valet group standing for it (:func:`server_group`):
   Valet plans the rule before the boot, so parallel boots cannot race
   past it as they can past Nova's late check on the compute.

Reserving records the instance uuid as the placement's resource id.  With
``ValetWeigher`` in ``[filter_scheduler] weight_classes`` the filter also
passes the instance's alternates (``[scheduler] max_attempts`` - 1 hosts
where it could go instead, every rule of its plan kept) and, for a
multi-create request (planned whole, as one ad hoc plan, at its first
instance), the hosts planned for its instances still to come; the weigher
puts the planned host first (:mod:`valet_openstack.nova.weigher`).  Each
instance costs one call, ``POST /v1/placements/{id}`` with ``fallback_ids``
and the ``adhoc`` server: Valet finds the placement or plans the server ad
hoc, and reserves it, in one commit.  The filter keeps one Valet
client (one keystoneauth1 session: one token, one connection pool) for
every decision, built on first use.  When Valet cannot answer
(``Unavailable``), ``[valet] failure_mode`` decides
(:func:`valet_openstack.client.on_failure`): ``reject`` passes no host
(NoValidHost), ``yield`` passes every candidate.  A refusal (no placement
honours the rules, an unknown group) passes no host whatever the mode:
Valet did answer.
"""

import threading

import nova.conf
from nova.scheduler import filters
from nova.scheduler import utils as scheduler_utils
from oslo_log import log as logging

from valet_openstack import client as valet_client
from valet_openstack import options
from valet_openstack.nova import ranking

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF

HEAT_HINT = "heat_resource_uuid"
GROUPS_HINT = "valet_groups"
#: How ``[filter_scheduler] weight_classes`` names Valet's weigher.
WEIGHER = "valet_openstack.nova.weigher.ValetWeigher"
#: Nova server group policy -> the kind of the Valet group standing for it
#: (at host level).  NOTE: soft policies stay nova's weighers' business.
#: Nova server group policy -> (Valet group type, enforcement).
SERVER_GROUP_KINDS = {"anti-affinity": ("diversity", "hard"), "affinity": ("affinity", "hard"),
                      "soft-anti-affinity": ("diversity", "soft"),
                      "soft-affinity": ("affinity", "soft")}


class ValetFilter(filters.BaseHostFilter):
    """Only the host Valet planned (or re-planned) for the instance passes.

    NOTE: no ``host_passes``: asking Valet host by host would reserve or
    re-plan once per host; nova calls :meth:`filter_all`.
    """

    # NOTE: a rebuild keeps the instance on its host: Valet's placement stands.
    RUN_ON_REBUILD = False
    # Every instance of a multi-create request has its own placement.
    run_filter_once_per_request = False

    def __init__(self):
        super().__init__()
        # NOTE: registered here, not at import: nova imports every module of
        # available_filters, and only a deployment that enables this filter
        # should grow a [valet] section.  Registering twice is harmless.
        options.register_opts(CONF)
        self._valet = None
        self._valet_lock = threading.Lock()
        #: Valet groups known to stand for Nova server groups.
        self._server_groups = set()

    def valet(self):
        """The filter's one Valet client, built on first use.

        NOTE: not in ``__init__``: the scheduler loads its filters before
        it applies every ``[valet]`` option the client reads.
        """
        with self._valet_lock:
            if self._valet is None:
                self._valet = valet_client.ValetClient(CONF)
            return self._valet

    def filter_all(self, filter_obj_list, spec_obj):
        hosts = list(filter_obj_list)
        if not hosts or scheduler_utils.request_is_rebuild(spec_obj):
            return hosts
        names = sorted({host.host for host in hosts})
        try:
            placement = self.place(spec_obj, names)
        except valet_client.Unavailable as exc:
            return valet_client.on_failure(
                CONF, exc, f"place instance {spec_obj.instance_uuid} among "
                           f"{len(names)} candidates", yielded=hosts, rejected=[])
        except valet_client.ValetError as exc:
            LOG.error("Valet refused instance %s (%s): %s; no host passes",
                      spec_obj.instance_uuid, type(exc).__name__, exc.message)
            return []
        location = placement["location"]
        alternates = placement.get("alternates", [])
        ranking.remember(spec_obj.instance_uuid, [location, *alternates])
        wanted = {location, *alternates, *placement.get("siblings", [])}
        passing = [host for host in hosts if host.host in wanted]
        if location not in names:
            # NOTE: only if Valet broke its contract (a host outside locations).
            LOG.error("Valet placed instance %s on %s, not a candidate (%s)",
                      spec_obj.instance_uuid, location, ", ".join(names))
            return []
        LOG.info("Valet placed instance %s on %s (of %d candidates; alternates: %s)",
                 spec_obj.instance_uuid, location, len(names), ", ".join(alternates) or "none")
        return passing

    def place(self, spec_obj, names):
        """The placement Valet reserves for the instance among ``names``: one
        call that finds it (Heat hint, else instance uuid) or plans it ad
        hoc, and reserves it; with alternates when nova weighs by Valet."""
        instance = spec_obj.instance_uuid
        heat_id = spec_obj.get_scheduler_hint(HEAT_HINT)
        # NOTE: the scheduling request's id, so Valet's log names it too.
        valet = self.valet().for_request(
            valet_client.global_id_of(getattr(spec_obj, "_context", None)))
        standing = server_group(spec_obj)
        if standing is not None:
            self.ensure_group(valet, standing)
        # NOTE: for the instance's project, so member-only named groups admit it.
        adhoc = {"resource": adhoc_server(spec_obj, standing), "name": f"nova-{instance}",
                 "project_id": spec_obj.project_id}
        weighed = WEIGHER in CONF.filter_scheduler.weight_classes
        if weighed and spec_obj.num_instances > 1:
            adhoc.update(count=spec_obj.num_instances, request_id=request_of(spec_obj))
        placement = valet.reserve(
            heat_id or instance, names, resource_id=instance,
            fallback_ids=[instance] if heat_id else [], adhoc=adhoc,
            alternates=max(CONF.scheduler.max_attempts - 1, 0) if weighed else 0,
            # NOTE: another flavor than planned is a resize: Valet plans it.
            flavor=spec_obj.flavor.name, hints=boot_hints(spec_obj))
        if heat_id and placement["id"] != heat_id:
            LOG.warning("Valet has no plan for Heat resource %s (is Heat's Valet "
                        "plugin enabled?); placed instance %s ad hoc", heat_id, instance)
        return placement


    def ensure_group(self, valet, standing):
        """Create the Valet group ``standing`` for a Nova server group
        unless it exists (asked once per scheduler process)."""
        if standing["name"] in self._server_groups:
            return
        try:
            valet.create_group(**standing)
            LOG.info("Valet group %s stands for the server group now", standing["name"])
        except valet_client.Conflict:
            pass        # NOTE: created by an earlier boot (or another scheduler)
        self._server_groups.add(standing["name"])


def server_group(spec_obj):
    """The Valet group (``create_group`` arguments) standing for the Nova
    server group the instance is booted into: a host-level group open only
    to the instance's project, soft for Nova's soft policies, at most
    ``max_server_per_host`` members a host for anti-affinity."""
    group = spec_obj.instance_group if spec_obj.obj_attr_is_set("instance_group") else None
    kind, enforcement = SERVER_GROUP_KINDS.get(getattr(group, "policy", None),
                                               (None, None)) if group else (None, None)
    uuid = (group.uuid if group.obj_attr_is_set("uuid") else None) if kind else None
    uuid = uuid or (spec_obj.get_scheduler_hint("group") if kind else None)
    if not uuid:
        return None
    standing = {"name": f"nova-server-group-{uuid}", "kind": kind, "level": "host",
                "description": f"Nova server group {uuid} ({group.policy})",
                "members": [spec_obj.project_id]}
    if enforcement == "soft":
        standing["enforcement"] = enforcement
    # NOTE: anti-affinity's max_server_per_host is diversity's max_per_domain.
    limit = (group.rules or {}).get("max_server_per_host") if kind == "diversity" else None
    if limit:
        standing["max_per_domain"] = int(limit)
    return standing


def boot_hints(spec_obj):
    """The boot's scheduler hints, single values unwrapped as Heat wrote them
    (nova keeps every hint as a list): Valet finds a planned placement by
    them when the boot carries no ``heat_resource_uuid``."""
    hints = spec_obj.scheduler_hints if spec_obj.obj_attr_is_set("scheduler_hints") else None
    return {key: spec_obj.get_scheduler_hint(key) for key in hints or {}}


def request_of(spec_obj):
    """The id of a multi-create request: its first instance's uuid.

    NOTE: nova schedules every instance of the request with one RequestSpec
    object, changing its ``instance_uuid`` from one to the next, so the
    first one seen is kept on the object (not a field: never saved)."""
    request = getattr(spec_obj, "_valet_request", None)
    if request is None:
        request = spec_obj._valet_request = f"nova-request-{spec_obj.instance_uuid}"
    return request


class AllegroFilter(ValetFilter):
    """The original Valet's name for :class:`ValetFilter`."""


def adhoc_server(spec_obj, standing=None):
    """The Heat-shaped resource Valet plans for a server booted without Heat
    (in the group ``standing`` for its server group, if any)."""
    groups = requested_groups(spec_obj) + ([standing["name"]] if standing else [])
    properties = {"flavor": spec_obj.flavor.name, "metadata": {"valet": {"groups": groups}}}
    if spec_obj.obj_attr_is_set("is_bfv") and spec_obj.is_bfv:
        # NOTE: Valet then counts no root disk on the host (ostro.parse).
        properties["block_device_mapping_v2"] = [{"boot_index": 0}]
    return {"type": "OS::Nova::Server", "name": spec_obj.instance_uuid,
            "properties": properties}


def requested_groups(spec_obj):
    """The named groups of the ``valet_groups`` hint: a list, or a
    comma-separated string (nova stores a single hint value unwrapped)."""
    value = spec_obj.get_scheduler_hint(GROUPS_HINT) or []
    if isinstance(value, str):
        value = value.split(",")
    return [name.strip() for name in value if name and name.strip()]
