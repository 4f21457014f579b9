"""Every answer the API tests see, checked against the API reference
(``valet_api/api_ref/openapi.yaml``) with openapi-core.

:class:`CheckedApp` is the webtest client every ``tests/api`` fixture
builds (``api_cases.running_api``, ``engine_cases.engine_api``,
``rpc_cases.rpc_api``): each request's answer is checked before the test
sees it, and one that breaks the document fails the test that made it.

Only the answer is judged, against the operation its path and method
select: the tests send malformed requests on purpose (bad JSON, wrong
types, ``tests/api/bad_input_cases.py``), and the refusal of each must
still be a documented status with the documented error body.  A request the
document has no operation for must be refused as the document's preamble
says: a path that names no URI with a 404 (or a 400 for a path that cannot
be read), a verb a URI does not answer with a 405 whose ``Allow`` lists the
documented verbs.
"""

import dataclasses
import json
import re
import urllib.parse

import webtest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_schema_validator import OAS31Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from valet_api import api_ref

DOCUMENT = api_ref.document()
SPEC = OpenAPI.from_dict(DOCUMENT)
#: Verbs in the order the app lists them in ``Allow`` (valet_api/controllers/base.py).
VERBS = ("get", "head", "post", "put", "patch", "delete", "options")


class NotConforming(AssertionError):
    """An answer the API reference does not describe."""


@dataclasses.dataclass
class Request:
    """What openapi-core needs of a request to find its operation."""

    method: str
    path: str
    host_url: str = "http://localhost"
    body: bytes | None = None
    content_type: str = "application/json"
    parameters: RequestParameters = dataclasses.field(default_factory=RequestParameters)


@dataclasses.dataclass
class Response:
    """An answer as openapi-core reads it."""

    status_code: int
    headers: Headers
    data: bytes

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "").lower()


def uri_of(path):
    """The documented URI a request path names: a trailing slash and empty
    segments name the same URI (doc/api.md)."""
    segments = [segment for segment in path.split("/") if segment]
    return "/" + "/".join(segments)


def check(method, path, status, headers, body, query=()):
    """Raise :class:`NotConforming` unless the answer ``status``, ``headers``
    (pairs) and ``body`` (bytes) to ``method path`` is one the document
    describes."""
    request = Request(method=method.lower(), path=uri_of(path),
                      parameters=RequestParameters(query=ImmutableMultiDict(list(query))))
    response = Response(status, Headers(list(headers)), body)
    problems = list(SPEC.iter_response_errors(request, response))
    where = f"{method} {path} -> {status}"
    if problems and isinstance(problems[0], PathNotFound):
        return _check_unknown_uri(where, request, response)
    if problems and isinstance(problems[0], OperationNotFound):
        return _check_refused_verb(where, request, response)
    if problems:
        explained = "; ".join(_explain(problem) for problem in problems)
        raise NotConforming(f"{where}: {explained[:2000]}\n{body[:2000]!r}")
    documented = _resolved(_operation(request.path, request.method)["responses"][str(status)])
    if "content" not in documented and body:
        raise NotConforming(f"{where}: documented without a body, answered {body[:200]!r}")
    if request.method == "options" and status == 204:
        _check_allow(where, request, response)
    return None


def _check_unknown_uri(where, request, response):
    if response.status_code not in (400, 401, 404, 413):
        raise NotConforming(f"{where}: a path the document does not name must be a 404 "
                            "(400, 401 or 413 before routing)")
    _check_refusal(where, request, response)


def _check_refused_verb(where, request, response):
    if response.status_code in (400, 401, 413):
        # NOTE: refused before routing (the path, the token, the body size).
        return _check_refusal(where, request, response)
    if response.status_code != 405:
        raise NotConforming(f"{where}: an undocumented verb must be a 405")
    _check_allow(where, request, response)
    return _check_refusal(where, request, response, "Error405")


def _check_refusal(where, request, response, schema="Error"):
    """The error body (keystonemiddleware's for a 401); none for a HEAD."""
    _check_request_id(where, response)
    if request.method != "head":
        _check_body(where, response,
                    "KeystoneUnauthorized" if response.status_code == 401 else schema)


def _check_allow(where, request, response):
    """``Allow`` names the verbs the document has for the URI."""
    allowed = [verb.upper() for verb in VERBS if verb in _path_item(request.path)]
    got = [verb.strip() for verb in response.headers.get("Allow", "").split(",")]
    if sorted(got) != sorted(allowed):
        raise NotConforming(f"{where}: Allow {got}, documented {allowed}")


def _check_body(where, response, schema):
    try:
        body = json.loads(response.data)
    except ValueError as exc:
        raise NotConforming(f"{where}: not JSON: {response.data[:200]!r}") from exc
    validator = OAS31Validator({"$ref": f"#/components/schemas/{schema}",
                                "components": DOCUMENT["components"]})
    problems = [error.message for error in validator.iter_errors(body)]
    if problems:
        raise NotConforming(f"{where}: not a {schema}: {'; '.join(problems)}: {body}")


def _check_request_id(where, response):
    pattern = DOCUMENT["components"]["headers"]["RequestId"]["schema"]["pattern"]
    if not re.match(pattern, response.headers.get("X-OpenStack-Request-Id", "")):
        raise NotConforming(f"{where}: no X-OpenStack-Request-Id")


def _path_item(uri):
    """The document's path item whose template matches ``uri``."""
    for template, item in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, uri):
            return item
    raise KeyError(uri)


def _operation(uri, method):
    return _path_item(uri)[method]


def _resolved(node):
    """``node``, or what its ``$ref`` (within the document) points to."""
    while "$ref" in node:
        target = DOCUMENT
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def _explain(problem):
    """openapi-core's error with the schema errors beneath it."""
    causes = getattr(problem.__cause__, "schema_errors", None) or ()
    details = "; ".join(f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                        for error in causes)
    return f"{type(problem).__name__}: {problem}" + (f" ({details})" if details else "")


class CheckedApp(webtest.TestApp):
    """A webtest client whose every answer is checked by :func:`check`
    before the caller (and webtest's own status check) sees it."""

    def do_request(self, req, status=None, expect_errors=None):
        response = super().do_request(req, status="*", expect_errors=True)
        # NOTE: the raw path and query: a test may send ones that are not UTF-8.
        environ = req.environ
        query = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), errors="replace")
        check(req.method, environ.get("PATH_INFO", ""), response.status_int,
              response.headerlist, response.body, query=query)
        if not expect_errors:
            self._check_status(status, response)
            self._check_errors(response)
        return response
