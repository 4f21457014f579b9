"""``/v1``: the version document, and the nouns below it."""

import pecan

from valet_api.controllers import base
from valet_api.controllers.v1 import groups, hosts, openapi, placements, plans, resources, status

#: Every noun of v1 (DESIGN §4), linked from ``GET /v1``.
NOUNS = ("groups", "plans", "placements", "resources", "hosts", "status")


def version(links):
    """The one version's entry in a ``{"versions": [...]}`` document."""
    return {"id": "v1.0", "status": "CURRENT", "links": links}


class V1(base.Resource):
    def child(self, segment):
        if segment == "groups":
            return groups.Groups()
        if segment == "plans":
            return plans.Plans()
        if segment == "placements":
            return placements.Placements()
        if segment == "resources":
            return resources.Resources()
        if segment == "hosts":
            return hosts.Hosts()
        if segment == "status":
            return status.Status()
        if segment == "openapi.json":
            return openapi.OpenAPI()
        return None

    @pecan.expose("json")
    def get(self):
        prefix = f"{base.base_url()}/v1"
        links = [{"rel": "self", "href": f"{prefix}/"}]
        links += [{"rel": noun, "href": f"{prefix}/{noun}"} for noun in NOUNS]
        return {"versions": [version(links)]}
