"""``/v1/openapi.json``: the API reference (:mod:`valet_api.api_ref`) as
JSON, token-free like ``/`` (:data:`valet_api.auth.PUBLIC_PATHS`): a client
may read what the API offers before it holds a token, and the document
holds nothing a deployment could want to hide."""

import pecan

from valet_api import api_ref
from valet_api.controllers import base


class OpenAPI(base.Resource):
    @pecan.expose("json")
    def get(self):
        return api_ref.document()
