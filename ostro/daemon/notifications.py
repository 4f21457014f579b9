"""Nova's versioned notifications (and Cinder's volume notifications),
applied to the leader's picture of the cloud between full syncs
(:class:`~ostro.daemon.sync.Reconciler`).

Instance events put the instance where the payload says it is (created,
live-migrated, resized, evacuated, rebuilt) or take it away (deleted);
``service.update`` marks a compute disabled or down.  Each event carries
the time Nova sent it; an event older than the last sync's start or than
the newest event already applied to the same instance (or host) is stale
and ignored, so duplicates and events out of order are harmless.

Cinder's ``volume.create.end`` and ``volume.delete.end`` (its unversioned
notifications, topic ``notifications``) put a volume on its pool or take it
away, and change the pool's free space by the volume's size, as the next
sync will read it from Cinder.
"""

import datetime
import logging

import oslo_messaging

from ostro.daemon import messaging
from ostro.inventory.instance import Instance, groups_of

LOG = logging.getLogger(__name__)

#: Events after which the payload's host is where the instance runs.
PLACED = ("instance.create.end", "instance.live_migration_post_dest.end",
          "instance.resize_confirm.end", "instance.evacuate", "instance.rebuild.end",
          "instance.unshelve.end")
#: Events after which the instance is gone.
GONE = ("instance.delete.end", "instance.shelve_offload.end")
SERVICE = "service.update"
VOLUME_CREATED, VOLUME_DELETED = "volume.create.end", "volume.delete.end"


def data(payload):
    """The fields of a versioned object payload (``nova_object.data``)."""
    return payload.get("nova_object.data", payload) if isinstance(payload, dict) else {}


def stamp(metadata):
    """Epoch seconds of a notification's ``timestamp`` (naive UTC text)."""
    text = (metadata or {}).get("timestamp")
    if not text:
        return None
    moment = datetime.datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def server_of(fields):
    """The :class:`~ostro.inventory.instance.Instance` an instance payload describes."""
    flavor = data(fields.get("flavor") or {})
    groups = groups_of(fields.get("metadata"), fields["uuid"])
    return Instance(id=fields["uuid"], name=fields.get("display_name") or fields["uuid"],
                  host=fields.get("host"), project_id=fields.get("tenant_id"), groups=groups,
                  flavor={"name": flavor.get("name"), "vcpus": flavor.get("vcpus", 0),
                          "ram": flavor.get("memory_mb", 0), "disk": flavor.get("root_gb", 0),
                          "ephemeral": flavor.get("ephemeral_gb", 0),
                          "swap": flavor.get("swap", 0)})


def change_for(event_type, payload, when):
    """``change(cloud) -> bool`` for one notification, or None if Valet
    does not care about it."""
    fields = data(payload)
    if event_type in PLACED or event_type in GONE:
        key = fields.get("uuid")
        if not key:
            return None

        def instance(cloud):
            if not _fresh(cloud, key, when):
                return False
            if event_type in GONE:
                return cloud.servers.pop(key, None) is not None
            server = server_of(fields)
            changed = cloud.servers.get(key) != server
            cloud.servers[key] = server
            return changed
        return instance
    if event_type == SERVICE and fields.get("binary") == "nova-compute":
        host = fields.get("host")

        def service(cloud):
            if not host or not _fresh(cloud, f"service:{host}", when):
                return False
            forced_down = bool(fields.get("forced_down"))
            return _set(cloud, host, {"disabled": bool(fields.get("disabled")) or forced_down,
                                      "up": not forced_down})
        return service
    if event_type in (VOLUME_CREATED, VOLUME_DELETED) and fields.get("volume_id"):
        return _volume_change(event_type == VOLUME_CREATED, fields, when)
    return None


def _volume_change(created, fields, when):
    key = fields["volume_id"]
    new = {"pool": fields.get("host"), "size": fields.get("size") or 0}

    def volume(cloud):
        # NOTE: before Cinder was read there is no pool to patch.
        if cloud.pools is None or not _fresh(cloud, f"volume:{key}", when):
            return False
        known = cloud.volumes.get(key)
        if known == (new if created else None):
            return False         # the sync (or a duplicate) saw it already
        if known is not None:
            _take(cloud, known, -known["size"])
            del cloud.volumes[key]
        if created:
            cloud.volumes[key] = new
            _take(cloud, new, new["size"])
        return True
    return volume


def _take(cloud, volume, size):
    """Take ``size`` GB (negative: give back) of ``volume``'s pool's free space."""
    pool = cloud.pools.get(volume["pool"])
    if pool is not None and pool["free_gb"] is not None:
        pool["free_gb"] = pool["free_gb"] - size


def _set(cloud, host, new):
    """Set ``host``'s service state; whether that changed it."""
    changed = cloud.services.get(host) != new
    cloud.services[host] = new
    return changed


def _fresh(cloud, key, when):
    """Whether an event at ``when`` is newer than what the picture holds for ``key``."""
    if when is None:
        return True          # NOTE: no stamp: apply it; the next sync corrects it
    if when < cloud.synced_at or when < cloud.stamps.get(key, 0.0):
        return False
    cloud.stamps[key] = when
    return True


class Endpoint:
    """oslo.messaging notification endpoint feeding a Reconciler."""

    def __init__(self, reconciler):
        self.reconciler = reconciler
        self.handled = 0

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        change = change_for(event_type, payload, stamp(metadata))
        if change is None:
            return None
        changed = self.reconciler.patch(change)
        self.handled += 1
        fields = data(payload)
        LOG.info("notification %s %s (%s): %s", event_type,
                 fields.get("uuid") or fields.get("volume_id") or fields.get("host"),
                 (metadata or {}).get("message_id"), "applied" if changed else "no change")
        return None


class Listener:
    """The notification listener on ``[notifications] topics`` in Valet's pool."""

    name = "notification-listener"

    def __init__(self, conf, reconciler):
        self.conf, self.reconciler = conf, reconciler
        self.endpoint = Endpoint(reconciler)
        self.started = None

    def start(self):
        # NOTE: a new transport each time this engine is elected: a listener
        # stopped when leadership was lost is not reused.  Started in the
        # background (ostro.daemon.messaging): with the broker down the
        # leader's other work goes on, and the listener joins when it is back.
        conf = self.conf
        transport = oslo_messaging.get_notification_transport(conf)
        targets = [oslo_messaging.Target(topic=topic) for topic in conf.notifications.topics]
        listener = oslo_messaging.get_notification_listener(
            transport, targets, [self.endpoint], pool=conf.notifications.pool)
        self.started = messaging.Started(
            self.name, listener,
            on_started=lambda: LOG.info("listening to notifications on %s",
                                        ", ".join(conf.notifications.topics)))
        self.started.start()

    def wait_until_listening(self, timeout):
        """Whether the listener consumes within ``timeout`` seconds of start()."""
        return self.started is not None and self.started.ready.wait(timeout)

    def stop(self):
        """Stop taking messages and finish the one in hand."""
        if self.started is not None:
            self.started.stop()
            self.started = None
