"""``/v1/resources``: placed servers and volumes that now break their rules
(DESIGN §4); the view is :mod:`ostro.views.violations`."""

import pecan

from valet_api.controllers import base


class Resources(base.Resource):
    """``/v1/resources``."""

    @pecan.expose("json")
    def get(self):
        return {"resources": pecan.request.operations.violations()}
