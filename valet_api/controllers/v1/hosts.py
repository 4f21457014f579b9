"""``/v1/hosts``: every host the engine places on, with its usage (DESIGN §4).

URIs: ``/v1/hosts`` and ``/v1/hosts/{name}``; read from the engine's cache
(refreshed from the store, never saved).
"""

import pecan

from ostro.errors import NotFound
from valet_api.controllers import base
from valet_api.types import hosts as host_types


def engine():
    return pecan.request.engine


class Hosts(base.Resource):
    """``/v1/hosts``."""

    def child(self, segment):
        return Host(segment)

    @pecan.expose("json")
    def get(self):
        return {"hosts": engine().read(host_types.show_all)}


class Host(base.Resource):
    """``/v1/hosts/{name}``."""

    def __init__(self, name):
        self.name = name

    @pecan.expose("json")
    def get(self):
        def show(e):
            if self.name not in e.datacenter.hosts:
                raise NotFound(f"no host {self.name}")
            return host_types.show(e, self.name)

        return {"host": engine().read(show)}
