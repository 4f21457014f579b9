"""``/v1/hosts``: every host the engine places on, with its usage (DESIGN §4).

URIs: ``/v1/hosts`` and ``/v1/hosts/{name}``; the view is
:mod:`ostro.views.hosts`.
"""

import pecan

from valet_api.controllers import base


def operations():
    return pecan.request.operations


class Hosts(base.Resource):
    """``/v1/hosts``."""

    def child(self, segment):
        return Host(segment)

    @pecan.expose("json")
    def get(self):
        return {"hosts": operations().list_hosts()}


class Host(base.Resource):
    """``/v1/hosts/{name}``."""

    def __init__(self, name):
        self.name = name

    @pecan.expose("json")
    def get(self):
        return {"host": operations().get_host(self.name)}
