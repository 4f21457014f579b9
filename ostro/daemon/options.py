"""Options of ``valet-engine``: ``[coordination]``, the background work in
``[engine]``, the ``nova`` driver's (and its Cinder reader's) in
``[inventory]`` (with keystoneauth1's auth and session options) and
``[notifications]``."""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from ostro.inventory.racks import DEFAULT_PATTERN

coordination_opts = [
    cfg.StrOpt("backend_url", default="file://$state_path/coordination",
               help="tooz backend where engines elect the one that runs background "
                    "work: file:// (one machine), or e.g. etcd3+http://, redis://, "
                    "zookeeper://, postgresql:// for engines on several machines."),
    cfg.FloatOpt("heartbeat_interval", default=1.0, min=0.01,
                 help="Seconds between an engine's heartbeats and, when it is not the "
                      "leader, its attempts to become one."),
    cfg.StrOpt("leader_lock", default="valet-engine-leader",
               help="Name of the tooz lock whose holder is the leader."),
]

daemon_opts = [
    cfg.FloatOpt("expiry_interval", default=30.0, min=0.01,
                 help="Seconds between the leader's releases of planned and reserved "
                      "placements past planned_ttl / reserved_ttl."),
    cfg.IntOpt("graceful_shutdown_timeout", default=60, min=0, mutable=True,
               help="Seconds valet-engine may take to stop on SIGTERM or SIGINT "
                    "(finish the calls in flight and the background run in "
                    "progress, release the leader lock); past them it exits 1 "
                    "at once. 0: wait as long as it takes."),
    cfg.FloatOpt("broker_check_interval", default=10.0, min=0.01,
                 help="Seconds between valet-engine's checks that the broker "
                      "([DEFAULT] transport_url, rabbit driver) answers; the log "
                      "says when RPC becomes unavailable and when it is back."),
]

inventory_opts = [
    cfg.FloatOpt("sync_interval", default=60.0, min=0.01,
                 help="Seconds between full syncs with Nova (driver = nova)."),
    cfg.StrOpt("datacenter_name", default="nova",
               help="Name of the data centre the nova driver builds."),
    cfg.StrOpt("rack_metadata_key", default="valet_rack",
               help="Aggregate metadata key naming the rack of the aggregate's hosts."),
    cfg.StrOpt("cluster_metadata_key", default="valet_cluster",
               help="Aggregate metadata key naming the cluster of the aggregate's hosts."),
    cfg.StrOpt("host_name_pattern", default=DEFAULT_PATTERN,
               help="Regular expression over host names with the named groups rack "
                    "and (optionally) cluster; used when no aggregate names them. "
                    "Empty: no pattern."),
    cfg.StrOpt("topology_file",
               help="YAML mapping host name -> {rack, cluster}, for hosts neither "
                    "aggregates nor the name pattern place."),
    cfg.StrOpt("default_cluster", default="default",
               help="Cluster of racks whose cluster no source names."),
    cfg.BoolOpt("place_unracked_hosts", default=False,
                help="Use hosts no source gives a rack, each as a rack of its own "
                     "(default: they are shown but disabled)."),
    cfg.StrOpt("compute_api_version", default="2.87",
               help="Nova API microversion the sync asks for (2.87 is the last with "
                    "hypervisor capacity; 2.47 or later embeds flavors in servers)."),
    cfg.StrOpt("region_name", help="Region of the compute (and volume) endpoint."),
    cfg.StrOpt("interface", default="public", help="Endpoint interface of Nova (and Cinder)."),
    cfg.StrOpt("endpoint_override", help="Nova's URL, instead of the service catalog."),
    cfg.StrOpt("storage", default="cinder", choices=[
                   ("cinder", "read Cinder's pools as the storage backends at every sync"),
                   ("none", "no storage backends: stacks with volumes are refused")],
               help="Where the nova driver's storage backends come from. A sync that "
                    "cannot reach Cinder logs a warning and keeps the pools it had."),
    cfg.StrOpt("volume_api_version", default="3.0",
               help="Cinder API microversion the sync asks for."),
    cfg.StrOpt("volume_endpoint_override",
               help="Cinder's URL (e.g. http://cinder:8776/v3/<project id>), instead of "
                    "the service catalog (region_name and interface apply to both)."),
]

notification_opts = [
    cfg.BoolOpt("enabled", default=True,
                help="Listen to Nova's versioned notifications (driver = nova) to "
                     "apply changes between syncs."),
    cfg.ListOpt("topics", default=["versioned_notifications"],
                help="Notification topics Nova sends versioned notifications on."),
    cfg.StrOpt("pool", default="valet-engine",
               help="Listener pool: Valet's own queue, so it takes no notification "
                    "from other consumers of the topic."),
]


def register_opts(conf):
    conf.register_opts(coordination_opts, group="coordination")
    conf.register_opts(daemon_opts, group="engine")
    conf.register_opts(inventory_opts, group="inventory")
    conf.register_opts(notification_opts, group="notifications")
    ks_loading.register_auth_conf_options(conf, "inventory")
    ks_loading.register_session_conf_options(conf, "inventory")


def list_opts():
    # NOTE: the auth plugin's own options depend on auth_type; list the
    # password plugin's, the common case.
    auth = ks_loading.get_auth_common_conf_options() + \
        ks_loading.get_auth_plugin_conf_options("password")
    return [("coordination", coordination_opts), ("engine", daemon_opts),
            ("inventory", inventory_opts + ks_loading.get_session_conf_options() + auth),
            ("notifications", notification_opts)]
