"""The base of the tests of ``ValetFilter`` inside a real in-process nova
(API, conductor, scheduler, placement, four fake computes) talking to a
real ``valet-api`` over HTTP: each test module starts one valet-api
(``setUpModule``) that its tests share (``VALET``).

nova's ``HostNameWeigherFixture`` makes nova alone prefer host1, then host2:
a server that lands elsewhere landed there because Valet said so.
"""

import os
import sys
import time
import warnings

from nova.tests import fixtures as nova_fixtures
from nova.tests.functional import integrated_helpers
from sqlalchemy import exc as sqlalchemy_exc

from tests.nova.valet_server import HOSTS, ValetServer
from valet_openstack.nova import filter as valet_filter

NOVA_DEFAULT_FILTERS = ["ComputeFilter", "ComputeCapabilitiesFilter", "ImagePropertiesFilter",
                        "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"]
VALET = None


def setUpModule():
    global VALET
    VALET = ValetServer()       # one valet-api for the module: ~2 s saved a test


def tearDownModule():
    global VALET
    VALET.stop()
    VALET = None


def server_resource(name, groups=()):
    return {"type": "OS::Nova::Server", "name": name,
            "properties": {"flavor": "m1.tiny",
                           "metadata": {"valet": {"groups": list(groups)}}}}


class ValetNovaTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """Four fake computes; ``filter_name`` last in enabled_filters."""

    compute_driver = "fake.SmallFakeDriver"
    microversion = "latest"
    filter_name = "ValetFilter"
    #: Whether nova weighs by Valet too (ValetWeigher after nova's fixture's).
    weighed = False
    #: More of nova's weighers (nova refuses soft server group policies
    #: unless their weighers are configured).
    weighers = ()

    def _clear_attrs(self):
        pass    # NOTE: nova's cleanup deletes attributes pytest still needs

    def setUp(self):
        self.flags(available_filters=["nova.scheduler.filters.all_filters",
                                      "valet_openstack.nova.filter." + self.filter_name],
                   enabled_filters=NOVA_DEFAULT_FILTERS + [self.filter_name],
                   group="filter_scheduler")
        self.flags(api_paste_config=os.path.join(sys.prefix, "etc/nova/api-paste.ini"),
                   group="wsgi")
        self.useFixture(nova_fixtures.HostNameWeigherFixture(
            {"host1": 100, "host2": 50, "host3": 10, "host4": 5}))
        if self.weighed or self.weighers:
            self.flags(weight_classes=["nova.tests.fixtures.nova.HostNameWeigher",
                                       *self.weighers,
                                       *([valet_filter.WEIGHER] if self.weighed else [])],
                       group="filter_scheduler")
        super().setUp()
        # NOTE: nova 34 turns SQLAlchemy deprecations into errors, and its
        # NoValidHost path (burying the instance in cell0) still uses
        # noload(), deprecated in SQLAlchemy 2.1; nova's own cleanup resets
        # the filters.
        warnings.filterwarnings("ignore", message=r"The noload\(\) option is deprecated",
                                category=sqlalchemy_exc.SADeprecationWarning)
        # NOTE: [valet] exists only because the scheduler, starting in
        # super().setUp(), loaded the filter, which registers it on nova's CONF.
        self.flags(url=VALET.url, read_timeout=10.0, retries=1, retry_delay=0.2,
                   failure_mode="reject", group="valet")
        self.addCleanup(VALET.forget_everything)
        for host in HOSTS:
            self._start_compute(host)

    def boot(self, hints=None, name=None, flavor_id="1"):
        """POST a server (m1.tiny unless told, no network) with scheduler
        hints; the server as the API answered (not yet scheduled)."""
        body = {"server": self._build_server(name=name, flavor_id=flavor_id, networks="none")}
        if hints:
            body["os:scheduler_hints"] = hints
        return self.api.post_server(body)

    def settled(self, server):
        """``server`` once it is ACTIVE or ERROR."""
        for _ in range(200):
            server = self.api.get_server(server["id"])
            if server["status"] in ("ACTIVE", "ERROR"):
                return server
            time.sleep(0.1)
        self.fail(f"server {server['id']} is still {server['status']}")

    def wait_for(self, server, status):
        # NOTE: up to 20 s (nova's default is 5 s): the machine may be busy.
        return self._wait_for_state_change(server, status, max_retries=40)

    def active_host(self, server):
        return self.wait_for(server, "ACTIVE")["OS-EXT-SRV-ATTR:host"]

    def plan(self, stack_id, resources, locations=None):
        """``{orchestration id: planned host}`` of a plan made through the API."""
        body = {"plan_name": stack_id, "stack_id": stack_id, "resources": resources}
        if locations:
            body["locations"] = locations
        plan = VALET.expect(201, "POST", "/v1/plans", body)["plan"]
        return {orch_id: p["location"] for orch_id, p in plan["placements"].items()}

    def valet_placement(self, key):
        return VALET.expect(200, "GET", f"/v1/placements/{key}")["placement"]

    def assert_reserved_for(self, server, host):
        """Valet's books agree with nova: ``server`` is reserved on ``host``."""
        placement = self.valet_placement(server["id"])    # found by resource id
        self.assertEqual((host, True, server["id"]),
                         (placement["location"], placement["reserved"],
                          placement["resource_id"]))
