"""The routing every URI shares: a :class:`Resource` is one URI.

Its verbs are exposed methods named after them (``get``, ``post``, ...);
``OPTIONS`` answers 204 with ``Allow``, any other verb 405 with ``Allow``
(DESIGN §4).  Sub-URIs come from :meth:`Resource.child`.
"""

import pecan

from valet_api import errors, inputs

VERBS = ("get", "head", "post", "put", "patch", "delete")


class Resource:
    def child(self, segment):
        """The resource one path segment below this one, or ``None``."""
        return None

    def allowed(self):
        return [verb.upper() for verb in VERBS if hasattr(self, verb)] + ["OPTIONS"]

    @pecan.expose(content_type="application/json")
    def _route(self, args, request):
        segments = [segment for segment in args if segment]
        if segments:
            below = self.child(segments[0])
            if below is None:
                raise errors.NoSuchResource(f"no resource {request.path}")
            return below._route(segments[1:], request)
        verb = request.method.lower()
        if verb == "options":
            return self.options, []
        if verb not in VERBS or not hasattr(self, verb):
            raise errors.MethodNotAllowed(request.method, self.allowed())
        return getattr(self, verb), []

    @pecan.expose(content_type="application/json")
    def options(self):
        pecan.response.headers["Allow"] = ", ".join(self.allowed())
        return no_content()


def no_content():
    """A 204 response (return it from a handler)."""
    pecan.response.status = 204
    return pecan.response


def created():
    """Mark the response 201 (the handler then returns its body)."""
    pecan.response.status = 201


def json_body():
    """The request body as a JSON object, or :class:`~valet_api.errors.BadRequest`."""
    # NOTE: decoded once and strictly, for every route (valet_api.inputs).
    body = inputs.body_of(pecan.request.environ)
    if not isinstance(body, dict):
        raise errors.BadRequest("the request body must be a JSON object")
    return body


def base_url():
    """Where this API is mounted, as the client reached it."""
    return pecan.request.application_url.rstrip("/")
