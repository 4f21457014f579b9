"""The RPC client's broker check (issue 11 §2): which brokers a transport
URL names, and whether one accepts a connection, answered within its
timeout (a closed port at once) where oslo.messaging would retry for ever."""

import socket
import time

from oslo_config import cfg

from ostro.rpc import transport


def conf_for(url):
    conf = cfg.ConfigOpts()
    transport.register_opts(conf)
    conf([], project="valet-test")
    conf.set_override("transport_url", url)
    return conf


def test_the_brokers_of_a_rabbit_url_and_none_for_other_drivers():
    conf = conf_for("rabbit://guest:guest@10.0.0.1:5673,guest:guest@broker-2//")
    assert transport.brokers(conf) == [("10.0.0.1", 5673), ("broker-2", 5672)]
    assert transport.brokers(conf_for("kombu+memory:////")) == []


def test_a_listening_port_is_reachable_and_a_closed_one_is_not_at_once():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert transport.reachable([("127.0.0.1", port)], timeout=1.0)
    started = time.monotonic()
    assert not transport.reachable([("127.0.0.1", port)], timeout=5.0)
    assert time.monotonic() - started < 5.0
    assert not transport.reachable([], timeout=1.0)
