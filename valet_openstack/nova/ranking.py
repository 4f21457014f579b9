"""The hosts Valet ranked for each instance being scheduled: the planned
host, then its alternates (:mod:`valet_openstack.nova.filter` writes them,
:mod:`valet_openstack.nova.weigher` reads them, in the same scheduler
process and the same scheduling pass).

Bounded: a scheduling pass reads its instance's ranking right after the
filter wrote it, so only the newest few thousand need to be kept.
"""

import collections
import threading

#: Instances whose ranking is kept (far more than run in parallel).
KEPT = 4096

_rankings = collections.OrderedDict()
_lock = threading.Lock()


def remember(instance_uuid, hosts):
    """``hosts`` (best first) are Valet's ranking for ``instance_uuid``."""
    with _lock:
        _rankings[instance_uuid] = tuple(hosts)
        _rankings.move_to_end(instance_uuid)
        while len(_rankings) > KEPT:
            _rankings.popitem(last=False)


def weight(instance_uuid, host):
    """1.0 for the planned host, less for each alternate after it, 0.0 for
    a host Valet did not rank (or an instance it never saw)."""
    with _lock:
        hosts = _rankings.get(instance_uuid, ())
    if host not in hosts:
        return 0.0
    return (len(hosts) - hosts.index(host)) / len(hosts)
