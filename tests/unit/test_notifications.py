"""Nova's versioned notifications applied to the picture of Nova
(ostro.daemon.notifications): which events matter, and that
duplicates and events out of order change nothing."""

import json

from ostro.daemon import notifications
from ostro.inventory.cloud import Cloud


def instance_payload(uuid="vm-1", host="h1", groups=None):
    """An ``InstanceActionPayload`` as Nova serializes it (the fields Valet reads)."""
    metadata = {} if groups is None else {"valet": json.dumps({"groups": groups})}
    flavor = {"nova_object.name": "FlavorPayload", "nova_object.namespace": "nova",
              "nova_object.version": "1.4",
              "nova_object.data": {"name": "small", "vcpus": 1, "memory_mb": 1024,
                                   "root_gb": 10, "ephemeral_gb": 0, "swap": 0}}
    return {"nova_object.name": "InstanceActionPayload", "nova_object.namespace": "nova",
            "nova_object.version": "1.8",
            "nova_object.data": {"uuid": uuid, "host": host, "display_name": "web",
                                 "tenant_id": "p1", "flavor": flavor, "metadata": metadata}}


def service_payload(host="h1", disabled=True, forced_down=False):
    return {"nova_object.name": "ServiceStatusPayload",
            "nova_object.data": {"host": host, "binary": "nova-compute",
                                 "disabled": disabled, "forced_down": forced_down}}


def apply(cloud, event_type, payload, when):
    change = notifications.change_for(event_type, payload, when)
    return None if change is None else change(cloud)


def test_instance_events_put_and_take_instances():
    cloud = Cloud()
    assert apply(cloud, "instance.create.end", instance_payload(groups=["g1"]), 10.0)
    server = cloud.servers["vm-1"]
    assert (server.host, server.load, server.groups) == ("h1", (1, 1024, 10), ("g1",))
    assert apply(cloud, "instance.live_migration_post_dest.end",
                 instance_payload(host="h2"), 11.0)
    assert cloud.servers["vm-1"].host == "h2"
    assert apply(cloud, "instance.delete.end", instance_payload(host="h2"), 12.0)
    assert cloud.servers == {}


def test_duplicates_and_late_events_change_nothing():
    cloud = Cloud()
    apply(cloud, "instance.create.end", instance_payload(), 10.0)
    assert apply(cloud, "instance.create.end", instance_payload(), 10.0) is False
    apply(cloud, "instance.delete.end", instance_payload(), 12.0)
    # The create arrives again after the delete: older, so ignored.
    assert apply(cloud, "instance.create.end", instance_payload(), 10.0) is False
    assert cloud.servers == {}


def test_events_older_than_the_last_sync_are_ignored():
    cloud = Cloud(synced_at=100.0)
    assert apply(cloud, "instance.create.end", instance_payload(), 99.0) is False
    assert apply(cloud, "instance.create.end", instance_payload(), 101.0) is True


def test_service_update_disables_a_compute():
    cloud = Cloud()
    assert apply(cloud, "service.update", service_payload(disabled=True), 1.0)
    assert cloud.services["h1"] == {"disabled": True, "up": True}
    assert apply(cloud, "service.update", service_payload(disabled=False, forced_down=True), 2.0)
    assert cloud.services["h1"] == {"disabled": True, "up": False}
    assert apply(cloud, "service.update", service_payload(disabled=False), 1.5) is False


def test_events_valet_does_not_need_are_ignored():
    assert notifications.change_for("instance.power_off.end", instance_payload(), 1.0) is None
    scheduler = {"nova_object.data": {"host": "s", "binary": "nova-scheduler"}}
    assert notifications.change_for("service.update", scheduler, 1.0) is None


def test_timestamps_are_nova_utc_text():
    assert notifications.stamp({"timestamp": "1970-01-01 00:00:10.500000"}) == 10.5
    assert notifications.stamp({}) is None


def test_unreadable_valet_metadata_keeps_the_instance_without_groups():
    payload = instance_payload()
    payload["nova_object.data"]["metadata"] = {"valet": "{not json"}
    cloud = Cloud()
    assert apply(cloud, "instance.create.end", payload, 1.0)
    assert cloud.servers["vm-1"].groups == ()
