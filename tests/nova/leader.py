"""What the leader ``valet-engine`` does on each periodic sync, done once
by a test: read the real in-process Nova (python-novaclient through the
``[inventory]`` keystoneauth1 options, as ``[inventory] driver = nova``)
and reconcile the placements in the test's ``valet-api`` store with it
(:class:`ostro.daemon.sync.Reconciler`)."""

from oslo_config import cfg

from ostro import replica as replicas
from ostro.config import register_opts as register_engine_opts
from ostro.daemon import options as service_options
from ostro.daemon.sync import Reconciler
from ostro.inventory import nova
from ostro.inventory.cloud import Layout
from ostro.inventory.racks import Naming
from ostro.state import options as database_options
from ostro.state.store import Store
from tests.nova.valet_server import HOSTS
from tests.support.live_server import write_groups

#: nova's test base stubs Keystone: these headers are its admin.
NOVA_ADMIN = {"X-Auth-User": "admin", "X-Auth-Project-Id": "admin-project",
              "X-Roles": "reader,member,admin"}


def sync_once(valet, nova_url):
    """One full sync of ``valet`` (a :class:`~tests.nova.valet_server.ValetServer`)
    with the Nova API at ``nova_url``: its placements follow Nova's instances."""
    path = write_groups(valet.directory / "leader.conf", {
        "database": {"connection": valet.database},
        "inventory": {"driver": "nova", "auth_type": "admin_token", "endpoint": nova_url,
                      "token": "unused", "endpoint_override": nova_url},
    })
    conf = cfg.ConfigOpts()
    register_engine_opts(conf)
    database_options.register_opts(conf)
    service_options.register_opts(conf)
    conf([], project="valet", default_config_files=[str(path)])
    store = Store(valet.database)
    try:
        client = nova.client(conf, additional_headers=NOVA_ADMIN)
        # NOTE: the racks of the valet-api's inventory file, by a mapping.
        naming = Naming(pattern=None, mapping={
            host: {"rack": rack, "cluster": "c1"} for host, rack in HOSTS.items()})
        reconciler = Reconciler(replicas.replica_for(conf, store), Layout(naming),
                                lambda: nova.read(client))
        reconciler.sync()
    finally:
        store.close()
