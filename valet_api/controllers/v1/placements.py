"""``/v1/placements``: one resource's placement (DESIGN §4).

URIs: ``/v1/placements`` (filtered by query) and
``/v1/placements/{id or orchestration id}`` (a resource id is accepted too):
show, reserve or re-plan (the Nova filter's calls), release.
"""

import pecan

from valet_api import policy, visibility
from valet_api.controllers import base
from valet_api.types import placements as placement_types


def operations():
    return pecan.request.operations


class Placements(base.Resource):
    """``/v1/placements?field=value``."""

    def child(self, segment):
        return Placement(segment)

    @pecan.expose("json")
    def get(self):
        query = dict(pecan.request.GET.items())
        # NOTE: a filter on a field the caller may not see matches nothing,
        # so asking location=<host> tells nothing of where servers are.
        if visibility.hidden(pecan.request, "placement") in query:
            return {"placements": []}
        matches = placement_types.matcher(query)
        show = visibility.shower(pecan.request, "placement")
        found = operations().list_placements(pecan.request.owner_scope)
        return {"placements": [show(p) for p in found if matches(p)]}


class Placement(base.Resource):
    """``/v1/placements/{id}``."""

    def __init__(self, key):
        self.key = key

    @pecan.expose("json")
    def get(self):
        # NOTE: another project's placement is a 404 worded as a missing one.
        shown = operations().get_placement(self.key, project_id=pecan.request.owner_scope)
        return {"placement": visibility.shower(pecan.request, "placement")(shown)}

    @pecan.expose("json")
    def post(self):
        action = placement_types.PlacementAction.parse(base.json_body())
        if action.action == "reserve":
            adhoc = action.adhoc
            if adhoc:
                # NOTE: as POST /v1/plans: the ad hoc plan's project.
                adhoc = {**adhoc, "project_id": policy.planned_for(pecan.request,
                                                                   adhoc["project_id"])}
            shown = operations().reserve(self.key, action.locations, action.resource_id,
                                         fallback_ids=action.fallback_ids, adhoc=adhoc,
                                         alternates=action.alternates, flavor=action.flavor,
                                         hints=action.hints)
        else:
            shown = operations().replan(self.key, action.locations, action.resource_id)
        base.created()
        return {"placement": visibility.shower(pecan.request, "placement")(shown)}

    @pecan.expose(content_type="application/json")
    def delete(self):
        operations().release(self.key)
        return base.no_content()
