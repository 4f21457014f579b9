"""How the API reaches the engine (``[engine] mode``, DESIGN §2 and §6).

Either way the API holds an object with the operations of
:class:`ostro.operations.Operations` (named calls, JSON in and out):

* ``mode = local``: the engine runs in the API process, as a cache of the
  store (:class:`ostro.replica.cache.Replica`); every worker process has
  its own and they meet in the store's serialized commits.
* ``mode = rpc``: the operations are forwarded to the engine service over
  oslo.messaging (:class:`ostro.rpc.client.Client`); its errors arrive as
  the same ``ostro.errors`` classes, and no answer within ``[engine]
  timeout`` is a 503.
"""

from ostro import replica
from ostro.operations import Operations


def for_conf(conf, store):
    """The engine client ``[engine] mode`` asks for."""
    if conf.engine.mode == "local":
        return local(conf, store)
    # NOTE: imported here so local mode never loads oslo.messaging (and the
    # eventlet warnings its server module prints on import).
    from ostro.rpc.client import Client
    return Client(conf)


def local(conf, store):
    """The engine in this process, over ``store``: the data centre of
    ``[inventory] file``, or the one the leader engine synced from Nova."""
    return Operations(replica.replica_for(conf, store))
