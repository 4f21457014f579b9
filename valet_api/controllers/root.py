"""``/``: the API versions (no authentication)."""

import pecan

from valet_api.controllers import base
from valet_api.controllers.v1 import V1, version


class Root(base.Resource):
    def child(self, segment):
        return V1() if segment == "v1" else None

    @pecan.expose("json")
    def get(self):
        href = f"{base.base_url()}/v1/"
        return {"versions": [version([{"rel": "self", "href": href}])]}
