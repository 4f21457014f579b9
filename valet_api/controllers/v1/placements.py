"""``/v1/placements``: one resource's placement (DESIGN §4).

URIs: ``/v1/placements`` (filtered by query) and
``/v1/placements/{id or orchestration id}`` (a resource id is accepted too):
show, reserve or re-plan (the Nova filter's calls), release.
"""

import pecan

from ostro.errors import NotFound
from valet_api.controllers import base
from valet_api.types import placements as placement_types


def engine():
    return pecan.request.engine


def lookup(e, key):
    """The placement whose orchestration id (or else resource id) is ``key``."""
    placement = e.placements.get(key) or next(
        (p for p in e.placements.values() if p.resource.resource_id == key), None)
    if placement is None:
        raise NotFound(f"no placement {key}")
    return placement


class Placements(base.Resource):
    """``/v1/placements?field=value``."""

    def child(self, segment):
        return Placement(segment)

    @pecan.expose("json")
    def get(self):
        matches = placement_types.matcher(dict(pecan.request.GET.items()))
        shown = engine().read(
            lambda e: [placement_types.show(p) for p in e.placements.values()])
        return {"placements": [p for p in shown if matches(p)]}


class Placement(base.Resource):
    """``/v1/placements/{id}``."""

    def __init__(self, key):
        self.key = key

    @pecan.expose("json")
    def get(self):
        return {"placement": engine().read(
            lambda e: placement_types.show(lookup(e, self.key)))}

    @pecan.expose("json")
    def post(self):
        action = placement_types.PlacementAction.parse(base.json_body())

        def apply(e):
            orch_id = lookup(e, self.key).orch_id
            if action.action == "reserve":
                placement = e.reserve(orch_id, action.locations, action.resource_id)
            else:
                placement = e.replan(orch_id, action.locations)
                if action.resource_id:
                    placement.resource.resource_id = action.resource_id
            return placement_types.show(placement)

        shown = engine().run(apply)
        base.created()
        return {"placement": shown}

    @pecan.expose()
    def delete(self):
        engine().run(lambda e: e.release(lookup(e, self.key).orch_id))
        return base.no_content()
