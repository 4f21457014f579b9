"""What the filter asks Valet to plan for a server booted without Heat,
built from real nova ``RequestSpec`` objects and read back by Valet's own
parser."""

import pathlib

from nova import objects

from ostro.inventory import file as inventory_file
from ostro.parse.resources import parse
from tests.nova.valet_server import inventory_text
from valet_openstack.nova.filter import adhoc_server, requested_groups

objects.register_all()

INSTANCE = "8c2b0c2e-0d7e-4a7b-9d55-1f6f7c0c1a11"


def request_spec(hints=None, flavor="m1.small", is_bfv=False):
    return objects.RequestSpec(instance_uuid=INSTANCE, flavor=objects.Flavor(name=flavor),
                               scheduler_hints=hints or {}, is_bfv=is_bfv)


def test_valet_groups_hint_as_a_list_or_a_comma_string():
    # nova keeps every hint as a list of strings, and unwraps a single one.
    assert requested_groups(request_spec({"valet_groups": ["web-ha", "db"]})) == ["web-ha", "db"]
    assert requested_groups(request_spec({"valet_groups": ["web-ha, db ,"]})) == ["web-ha", "db"]
    assert requested_groups(request_spec()) == []


def test_adhoc_server_is_a_heat_shaped_server_valet_parses(tmp_path):
    path = pathlib.Path(tmp_path, "inventory.yaml")
    path.write_text(inventory_text())
    datacenter = inventory_file.load(path)
    local = adhoc_server(request_spec())
    from_volume = adhoc_server(request_spec(is_bfv=True))
    assert local["properties"]["metadata"] == {"valet": {"groups": []}}
    stack = parse({"local": local, "bfv": from_volume}, datacenter)
    # m1.small has a 20 GB root disk; booted from a volume, none of it is local.
    assert stack.resources["local"].disk_gb == 20
    assert stack.resources["bfv"].disk_gb == 0
    assert stack.resources["bfv"].flavor == "m1.small"
