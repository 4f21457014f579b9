"""A real heat-engine in this process, talking to a real valet-api.

What is real: heat's ``EngineService`` (stack create, update, delete as the
heat API asks for them), its legacy engine and its convergence workers,
templates, environments, resource plugins, lifecycle plugins loaded from
entry points, nested stacks (engine-to-engine calls go to the same
``EngineService``), and the Valet API over HTTP.  What is not: the cloud
under Heat: Nova's and Cinder's clients are small fakes that create servers
and volumes at once (heat's own fake novaclient supplies the server object),
because the point is what Valet receives and how Heat reacts.
"""

# NOTE: heat.tests.common must be heat's first import (RECIPES §4: it picks
# the threading backend that the rest of heat then uses).
from heat.tests import common  # isort: skip

import os
import sys
import types
import uuid
from unittest import mock

from cinderclient import exceptions as cinder_exceptions
from heat.common import lifecycle_plugin_utils, template_format
from heat.engine import scheduler, service, stack_lock, worker
from heat.engine import stack as heat_stack
from heat.engine.clients.os import cinder as cinder_plugin
from heat.engine.clients.os import glance, nova
from heat.rpc import client as rpc_client
from heat.rpc import worker_client
from heat.tests import utils
from heat.tests.engine import tools
from heat.tests.openstack.nova import fakes as fakes_nova
from novaclient import exceptions as nova_exceptions
from oslo_config import cfg

from tests.live_valet import HOSTS
from valet_openstack import client as valet_client
from valet_openstack.heat import resources as valet_resources

VALET_URL = None  # set by the session fixture (tests/heat/conftest.py)
ENV_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "etc", "heat",
                        "environment.d", "valet.yaml")


class FakeVolumes:
    """Cinder's volumes API as heat's volume resource uses it."""

    def __init__(self):
        self.created, self.volumes = [], {}

    def create(self, **arguments):
        volume = types.SimpleNamespace(id=str(uuid.uuid4()), status="available",
                                       to_dict=lambda: {}, **arguments)
        self.created.append(arguments)
        self.volumes[volume.id] = volume
        return volume

    def get(self, volume_id):
        if volume_id not in self.volumes:
            raise cinder_exceptions.NotFound(404)
        return self.volumes[volume_id]

    def delete(self, volume_id):
        self.volumes.pop(volume_id, None)


class FakeServers:
    """Nova's servers API: heat's fake server object, one id each.

    With ``scheduler`` set, each boot first asks Valet for a host as Nova's
    ValetFilter does (:func:`reserve_like_nova`); ``placed`` keeps the
    answers by server id."""

    def __init__(self, template):
        self.template, self.created, self.servers = template, [], {}
        self.scheduler, self.placed = None, {}

    def create(self, **arguments):
        info = dict(self.template._info, id=str(uuid.uuid4()))
        # NOTE: this fake is the server's manager too (interface_list, get).
        server = type(self.template)(self, info, loaded=True)
        if self.scheduler is not None:
            self.placed[server.id] = self.scheduler(server.id, arguments)
        self.created.append(arguments)
        self.servers[server.id] = server
        return server

    def get(self, server_id):
        if server_id not in self.servers:
            raise nova_exceptions.NotFound(404)
        return self.servers[server_id]

    def delete(self, server_id):
        self.servers.pop(server_id, None)

    def interface_list(self, server):
        return []


def reserve_like_nova(server_id, arguments):
    """The one call Nova's ValetFilter makes for a boot: reserve the
    placement of Heat's ``heat_resource_uuid`` hint (else the instance's),
    or plan the server ad hoc, outside any stack rule, when none exists."""
    hint = (arguments.get("scheduler_hints") or {}).get("heat_resource_uuid")
    adhoc = {"resource": {"type": "OS::Nova::Server", "name": server_id,
                          "properties": {"flavor": "m1.small"}},
             "name": f"nova-{server_id}"}
    with valet_client.ValetClient(cfg.CONF) as valet:
        return valet.reserve(hint or server_id, HOSTS, resource_id=server_id,
                             fallback_ids=[server_id] if hint else [], adhoc=adhoc)


class InlineThreads(tools.DummyThreadGroupManager):
    """Heat's thread group manager, minus threads: runs the stack operation
    at once under a real stack lock, then persists the stack's state as
    heat-engine does when the lock is released."""

    def start_with_lock(self, cnxt, stack, engine_id, func, *args, **kwargs):
        lock = stack_lock.StackLock(cnxt, stack.id, engine_id)
        lock.acquire()
        return self.start_with_acquired_lock(stack, lock, func, *args, **kwargs)

    def stop_timers(self, stack_id):
        return None

    def add_msg_queue(self, stack_id, msg_queue):
        return None

    def remove_msg_queue(self, thread, stack_id, msg_queue):
        # NOTE: no threads, so no queued messages to cancel (the dummy's own
        # version fails here).
        return None

    def start_with_acquired_lock(self, stack, lock, func, *args, **kwargs):
        try:
            func(*args, **kwargs)
        finally:
            if stack.defer_state_persist():
                stack.persist_state_and_release_lock(lock.engine_id)
            else:
                lock.release()
        return tools.DummyThread()


class HeatCase(common.HeatTestCase):
    """A heat engine with Valet's plugins; ``convergence`` picks the engine."""

    convergence = False

    def setUp(self):
        cfg.CONF.set_override("environment_dir", os.path.join(sys.prefix, "etc/heat/environment.d"))
        cfg.CONF.set_override("template_dir", os.path.join(sys.prefix, "etc/heat/templates"))
        super().setUp()
        cfg.CONF.set_override("convergence_engine", self.convergence)
        cfg.CONF.set_override("stack_scheduler_hints", True)
        cfg.CONF.set_override("deferred_auth_method", "password")
        cfg.CONF.set_override("url", VALET_URL, group="valet")
        cfg.CONF.set_override("retries", 0, group="valet")
        cfg.CONF.set_override("read_timeout", 30.0, group="valet")
        # NOTE: heat caches plugin instances in a module global.
        lifecycle_plugin_utils.pp_class_instances = None
        self.addCleanup(setattr, lifecycle_plugin_utils, "pp_class_instances", None)
        for name, cls in valet_resources.resource_mapping().items():
            common.resource._register_class(name, cls)
        self._fake_cloud()
        self._in_process_engine()

    def _fake_cloud(self):
        self.nova = fakes_nova.FakeClient()
        self.servers = FakeServers(self.nova.servers.list()[1])
        self.nova.servers = self.servers
        self.patchobject(nova.NovaClientPlugin, "client", return_value=self.nova)
        self.patchobject(nova.NovaClientPlugin, "find_flavor_by_name_or_id", return_value="2")
        self.patchobject(nova.NovaClientPlugin, "get_flavor",
                         return_value=mock.Mock(ram=4, disk=4))
        self.patchobject(glance.GlanceClientPlugin, "find_image_by_name_or_id", return_value="2")
        self.patchobject(glance.GlanceClientPlugin, "get_image",
                         return_value=mock.Mock(min_ram=1, min_disk=1, status="ACTIVE"))
        self.volumes = FakeVolumes()
        cinder = types.SimpleNamespace(volumes=self.volumes, volume_api_version=3)
        self.patchobject(cinder_plugin.CinderClientPlugin, "client", return_value=cinder)
        self.patchobject(cinder_plugin.CinderClientPlugin, "get_max_microversion",
                         return_value="3.0")
        self.patchobject(cinder_plugin.CinderClientPlugin, "get_volume_type",
                         return_value="lvm")

    def _in_process_engine(self):
        """Heat's engine-to-engine and worker messages, delivered in this
        process: calls at once, worker casts in order by :meth:`drain`."""
        self.engine = service.EngineService("valet-test-host", "engine")
        self.engine.thread_group_mgr = InlineThreads()
        self.engine.engine_id = "engine-1"
        self.worker = worker.WorkerService("valet-test-host", "worker", "engine-1",
                                           InlineThreads())
        self.worker._rpc_client = worker_client.WorkerClient()
        self.engine.worker_service = self.worker
        self.queue = []
        # NOTE: a nested stack's parent waits for it inside its own check,
        # so its messages must be delivered while that check runs.
        self.deliver_at_once = False
        engine = self.engine

        def call(client, ctxt, msg, version=None, timeout=None):
            method, kwargs = msg
            return getattr(engine, method)(ctxt, **kwargs)

        def cast(client, ctxt, msg, version=None):
            self.queue.append(msg)
            if self.deliver_at_once:
                self.drain()
            elif self.interleave and self.working:
                # NOTE: another worker takes the next message while this one
                # goes on (a nested stack's workers start before its parent
                # resource has recorded the nested stack's id).
                self.deliver_next()

        def sleep(runner, wait_time):
            # NOTE: where a heat-engine thread would sleep while a task (a
            # nested stack's create, a server's boot) is in progress, another
            # worker gets to run: the next queued message is delivered.
            if not self.interleave:
                return
            if self.queue:
                self.idle = 0
                self.deliver_next()
                return
            self.idle += 1
            if self.idle > 10000:
                raise AssertionError(f"{runner} waits for a message nobody sends")

        # NOTE: interleave: workers' messages are delivered the way
        # parallel heat-engine workers would take them (below); ``working``:
        # how many deliveries are in progress (nested in one another).
        self.interleave, self.idle, self.working = False, 0, 0
        self.patchobject(scheduler.TaskRunner, "_sleep", new=sleep)
        self.patchobject(rpc_client.EngineClient, "call", new=call)
        self.patchobject(rpc_client.EngineClient, "cast", new=call)
        self.patchobject(worker_client.WorkerClient, "cast", new=cast)
        self.context = utils.dummy_context()

    def drain(self):
        """Deliver the convergence workers' messages until none is left."""
        while self.queue:
            self.deliver_next()

    def deliver_next(self):
        """Deliver the oldest queued worker message, if any."""
        if self.queue:
            method, kwargs = self.queue.pop(0)
            self.working += 1
            try:
                getattr(self.worker, method)(self.context, **kwargs)
            finally:
                self.working -= 1

    # -- what a heat API request would do ------------------------------------

    def create(self, name, template, files=None, environment=None):
        identity = self.engine.create_stack(
            self.context, name, template_format.parse(template), environment or {},
            files or {}, {"timeout_mins": 60})
        self.drain()
        return self.load(identity)

    def update(self, stack, template, files=None, environment=None):
        self.engine.update_stack(self.context, dict(stack.identifier()),
                                 template_format.parse(template), environment or {},
                                 files or {}, {"timeout_mins": 60})
        self.drain()
        return self.load(stack.identifier())

    def delete(self, stack):
        self.engine.delete_stack(self.context, dict(stack.identifier()))
        self.drain()

    def load(self, identity):
        return heat_stack.Stack.load(self.context, stack_id=identity["stack_id"])

    def planned_environment(self):
        """The shipped global-environment file, as a stack's environment."""
        with open(ENV_FILE) as handle:
            return template_format.yaml.safe_load(handle)
