"""The API in ``[engine] mode = rpc`` and an engine RPC server thread hosting
the real operations over the same store (the engine service's part, as
``valet-engine`` will host it), on any oslo.messaging transport."""

import contextlib
import uuid

import pytest

from ostro.rpc import server as rpc_server
from ostro.rpc import transport as rpc_transport
from ostro.state import migrate
from ostro.state.store import Store
from tests.api import conformance
from tests.api.engine_cases import engine_conf
from valet_api import app as valet_app
from valet_api import engine_client

#: kombu's in-process broker: real oslo.messaging RPC without a server
#: process, and much faster than ``fake://`` (RECIPES §5).
MEMORY = "kombu+memory://"


def rpc_conf(url, inventory, transport_url, topic, timeout=60.0):
    """``engine_conf`` in mode = rpc on ``topic`` of ``transport_url``."""
    conf = engine_conf(url, inventory)
    rpc_transport.register_opts(conf)
    conf.set_override("transport_url", transport_url)
    if transport_url == MEMORY:
        # NOTE: the memory transport has no heartbeats; asking for them only warns.
        conf.set_override("heartbeat_timeout_threshold", 0, "oslo_messaging_rabbit")
    conf.set_override("mode", "rpc", "engine")
    conf.set_override("topic", topic, "engine")
    conf.set_override("timeout", timeout, "engine")
    return conf


@contextlib.contextmanager
def engine_server(conf):
    """An RPC server thread on ``conf``'s topic hosting the local engine
    over ``[database] connection``; stopped on exit."""
    store = Store(conf.database.connection)
    server = rpc_server.build_server(conf, engine_client.local(conf, store), server="test")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.wait()
        server.transport.cleanup()
        store.close()


@contextlib.contextmanager
def rpc_api(url, inventory, transport_url=MEMORY, serve=True, timeout=60.0):
    """A webtest client of the app in mode = rpc on a new topic, and (if
    ``serve``) an engine server answering on it."""
    migrate.upgrade(url)
    conf = rpc_conf(url, inventory, transport_url, f"valet-test-{uuid.uuid4().hex}", timeout)
    with contextlib.ExitStack() as stack:
        if serve:
            stack.enter_context(engine_server(conf))
        app = valet_app.setup_app(conf=conf)
        stack.callback(app.store.close)
        stack.callback(app.operations.close)
        yield conformance.CheckedApp(app)


#: Runs a test of ``engine_api`` in both modes: the API must answer the same
#: whether its engine is in-process or behind RPC (tests/api/conftest.py).
both_modes = pytest.mark.parametrize("engine_mode", ["local", "rpc"])
