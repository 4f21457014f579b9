"""``GET /dashboard``: the data-centre dashboard (issue 13 §4), a static page
over the public v1 API, when ``[api] dashboard = true``.

:class:`DashboardRoute` sits in the WSGI pipeline in front of the
authentication (:mod:`valet_api.middleware`), like ``/healthcheck``: the page
and its files are public and hold no secret; the page's own API calls carry
the user's token. It answers:

* ``/dashboard``: the page (``index.html``);
* ``/dashboard/``: a redirect to ``/dashboard``, since the page names its
  files relative to that URL (so a mount point or proxy prefix keeps working);
* ``/dashboard/static/NAME``: a file of ``static/`` whose suffix is in
  :data:`CONTENT_TYPES` (the vendored libraries' README and LICENSE files are
  shipped, not served);
* anything else under ``/dashboard``: Valet's 404 error body.

Every answer carries :data:`SECURITY_HEADERS`: scripts, styles and API calls
from this origin only, no inline script, no framing.
"""

import pathlib

import webob

from valet_api import errors

#: The page's path; its files are under ``PATH + "/static/"``.
PATH = "/dashboard"
PAGE = pathlib.Path(__file__).parent / "index.html"
STATIC = pathlib.Path(__file__).parent / "static"

#: The suffixes served, with their Content-Type.
PAGE_TYPE = "text/html; charset=UTF-8"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=UTF-8",
    ".css": "text/css; charset=UTF-8",
    ".svg": "image/svg+xml",
}

#: NOTE: 'self' only; no 'unsafe-inline' for scripts or styles (the page sets
#: styles through the CSSOM, which style-src does not restrict); connect-src
#: 'self' is the v1 API of the same server.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # NOTE: revalidated on every load, so an upgrade of Valet shows its page.
    "Cache-Control": "no-cache",
}
ALLOWED = ("GET", "HEAD", "OPTIONS")


def static_files(directory=STATIC):
    """{URL name: path} of the files served, found once (no path from a
    request ever reaches the file system)."""
    return {path.relative_to(directory).as_posix(): path
            for path in sorted(directory.rglob("*"))
            if path.is_file() and path.suffix in CONTENT_TYPES}


class DashboardRoute:
    """:data:`PATH` and below to the dashboard, every other path to ``app``."""

    def __init__(self, app, debug=False):
        self.app, self.debug = app, debug
        self.files = static_files()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path != PATH and not path.startswith(PATH + "/"):
            return self.app(environ, start_response)
        request = webob.Request(environ)
        try:
            response = self.answer(request, path[len(PATH):])
        except errors.ApiError as exc:
            errors.log(exc, request.method, request.path)
            response = errors.response_for(exc, debug=self.debug)
        response.headers.update(SECURITY_HEADERS)
        return response(environ, start_response)

    def answer(self, request, rest):
        """The response for ``rest``, the path after :data:`PATH`."""
        if request.method == "OPTIONS":
            return webob.Response(status=204, headers={"Allow": ", ".join(ALLOWED)})
        if request.method not in ALLOWED:
            raise errors.MethodNotAllowed(request.method, ALLOWED)
        if rest == "":
            return self.file(PAGE, PAGE_TYPE)
        if rest == "/":
            return webob.Response(status=301, location=request.application_url + PATH)
        name = rest.removeprefix("/static/")
        if rest.startswith("/static/") and name in self.files:
            path = self.files[name]
            return self.file(path, CONTENT_TYPES[path.suffix])
        raise errors.NoSuchResource(f"no dashboard file {request.path_info}")

    @staticmethod
    def file(path, content_type):
        # NOTE: read on each request (small files): a package upgrade in place
        # is served at once, and no file handle stays open.
        return webob.Response(body=path.read_bytes(),
                              headerlist=[("Content-Type", content_type)])
