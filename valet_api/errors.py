"""Every error the API returns, as one JSON shape (DESIGN §4)::

    {"title": "Not Found", "explanation": "...", "code": 404,
     "error": {"message": "no group web", "type": "NotFound", "traceback": "..."}}

``traceback`` is present only when ``[DEFAULT] debug = true``.  Engine and
store errors keep their own types; this module only decides their status,
and how each is logged (:func:`log`): a 5xx with its traceback, at ERROR;
a 4xx (a refusal the caller can fix) in one INFO line.
"""

import json
import logging
import traceback

import webob
import webob.exc
import wsme.exc
from sqlalchemy.exc import SQLAlchemyError

from ostro import errors as ostro_errors
from ostro.state.store import Conflict

LOG = logging.getLogger(__name__)


class ApiError(Exception):
    """An error found by the API layer itself (routing, request bodies)."""

    status = 500
    kind = "ApiError"

    def __init__(self, message, headers=None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400
    kind = "InvalidInput"


class Forbidden(ApiError):
    """A policy rule refused the request (the message names the rule)."""

    status = 403
    kind = "Forbidden"


class NoSuchResource(ApiError):
    status = 404
    kind = "NotFound"


class UnknownProject(ApiError):
    """A member project Keystone does not know (DESIGN §4: 409, as the
    original Valet answered)."""

    status = 409
    kind = "UnknownProject"


class MethodNotAllowed(ApiError):
    status = 405
    kind = "MethodNotAllowed"

    def __init__(self, method, allowed):
        super().__init__(f"{method} is not allowed here; use one of {', '.join(allowed)}",
                         headers={"Allow": ", ".join(allowed)})


class RequestTooLarge(ApiError):
    """A body over ``[oslo_middleware] max_request_body_size`` (:mod:`valet_api.middleware`)."""

    status = 413
    kind = "RequestTooLarge"


class ServiceUnavailable(ApiError):
    status = 503
    kind = "ServiceUnavailable"


#: Engine and store errors by status; the first matching class wins, so a
#: subclass (Duplicate) comes before its base (InvalidInput).
STATUS_OF = (
    (ostro_errors.Duplicate, 409),
    (ostro_errors.LimitExceeded, 413),
    (ostro_errors.InvalidInput, 400),
    (ostro_errors.NotFound, 404),
    (ostro_errors.InUse, 409),
    (ostro_errors.NoPlacement, 409),
    (ostro_errors.Stale, 412),
    (ostro_errors.Unavailable, 503),
    (Conflict, 503),
    (SQLAlchemyError, 503),
)


def describe(exc):
    """``(status, type, message)`` of any exception a request raised."""
    if isinstance(exc, ApiError):
        return exc.status, exc.kind, exc.message
    if isinstance(exc, wsme.exc.ClientSideError):
        return 400, "InvalidInput", exc.faultstring
    if isinstance(exc, webob.exc.HTTPException):
        return exc.code, type(exc).__name__, exc.detail or exc.explanation
    for error_class, status in STATUS_OF:
        if isinstance(exc, error_class):
            if isinstance(exc, SQLAlchemyError):
                # NOTE: the driver's message may hold the URL's host or SQL; say
                # what happened without it (the log has the whole error).
                return status, "DatabaseError", "the database is unreachable or unusable"
            return status, exc.kind, exc.message
    return 500, type(exc).__name__, "internal error; the API log has the details"


def log(exc, method, path):
    """One log line for the error ``exc`` a request ``method path`` raised:
    a 5xx at ERROR with the traceback (the answer has none unless
    ``debug``), a 4xx at INFO without one."""
    status, kind, message = describe(exc)
    if status >= 500:
        LOG.error("%s %s: %d %s: %s", method, path, status, kind, exc, exc_info=exc)
    else:
        LOG.info("%s %s: %d %s: %s", method, path, status, kind, message)


def response_for(exc, debug=False):
    """The JSON error response for ``exc`` (with its traceback if ``debug``)."""
    status, kind, message = describe(exc)
    reference = webob.exc.status_map.get(status, webob.exc.HTTPInternalServerError)
    error = {"message": message, "type": kind}
    if isinstance(exc, ostro_errors.OstroError):
        # NOTE: the engine's own fields (a refusal's rule, group, resource and
        # hints; a limit's name), so a client need not parse the message.
        error.update({field: value for field, value in exc.to_dict().items()
                      if field not in error})
    if debug:
        error["traceback"] = "".join(traceback.format_exception(exc))
    body = {"title": reference.title, "explanation": reference.explanation,
            "code": status, "error": error}
    response = webob.Response(status=status, content_type="application/json",
                              charset="UTF-8", body=json.dumps(body).encode())
    # NOTE: only our own errors' headers (Allow); a webob exception is a
    # response itself, whose Content-Type and Content-Length are not ours.
    if isinstance(exc, ApiError):
        for name, value in exc.headers.items():
            response.headers[name] = value
    return response
