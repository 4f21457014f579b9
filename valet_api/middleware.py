"""The WSGI pipeline around the pecan app (DESIGN §2), outermost first:

1. ``request_id`` (oslo.middleware): every answer carries
   ``X-OpenStack-Request-Id``; an incoming ``X-OpenStack-Request-Id:
   req-<uuid>`` (Nova, Heat, Cinder) becomes the global request id;
2. ``catch_errors``: a crash in the middleware below is a 500 that still
   names its request (the pecan app renders its own errors);
3. ``http_proxy_to_wsgi``: behind a TLS proxy, links follow
   ``X-Forwarded-Proto`` when ``[oslo_middleware]
   enable_proxy_headers_parsing = true``;
4. ``sizelimit`` (:class:`BodySizeLimit`): a body over ``[oslo_middleware]
   max_request_body_size`` is a 413, refused before it is read;
5. ``/healthcheck`` (:mod:`valet_api.health`), token-free, and with ``[api]
   dashboard = true`` ``/dashboard`` (:mod:`valet_api.dashboard`), public, beside
6. the authentication of ``[api] auth_strategy`` (:mod:`valet_api.auth`),
   then :class:`CurrentContext`, then :class:`valet_api.inputs.InputChecks`
   (an unreadable path, query, header or body is a 400 naming it; the body
   is decoded there, once), then the pecan app.
"""

import logging

import webob.dec
import webob.exc
from oslo_context import context
from oslo_middleware import catch_errors, http_proxy_to_wsgi, request_id, sizelimit

from valet_api import auth, dashboard, errors, health, inputs

LOG = logging.getLogger(__name__)

#: The token-free health check's path (oslo.middleware's usual one).
HEALTHCHECK_PATH = "/healthcheck"


class Pipeline:
    """The whole WSGI application; ``store`` and ``operations`` are the pecan
    app's, for whoever runs it (valet-api closes the store at worker exit),
    ``conf`` the configuration every layer reads."""

    def __init__(self, app, conf):
        self.store, self.operations, self.conf = app.store, app.operations, conf
        checked = inputs.InputChecks(app, debug=conf.debug)
        inner = auth.wrap(CurrentContext(checked, conf.api.auth_strategy), conf)
        routed = HealthcheckRoute(inner, health.Healthcheck(None, conf))
        if conf.api.dashboard:
            routed = dashboard.DashboardRoute(routed, debug=conf.debug)
        limited = BodySizeLimit(routed, conf)
        proxied = http_proxy_to_wsgi.HTTPProxyToWSGI(limited, conf)
        self.application = request_id.RequestId(catch_errors.CatchErrors(proxied, conf), conf)

    def __call__(self, environ, start_response):
        return self.application(environ, start_response)


class HealthcheckRoute:
    """:data:`HEALTHCHECK_PATH` to the health check, every other path to ``app``.

    NOTE: oslo.middleware's Healthcheck answers every request it sees (it is
    a paste *app*, mounted by a URL map); this is that map, in front of the
    authentication, so load balancers need no token.
    """

    def __init__(self, app, healthcheck):
        self.app, self.healthcheck = app, healthcheck

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").rstrip("/") == HEALTHCHECK_PATH:
            return self.healthcheck(environ, start_response)
        return self.app(environ, start_response)


class BodySizeLimit(sizelimit.RequestBodySizeLimiter):
    """oslo.middleware's ``sizelimit``, answering in Valet's error body.

    A ``Content-Length`` over the limit is refused before a byte is read; a
    chunked body is cut off as it is read, past the limit (the pecan app
    then answers the same 413).
    """

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return super().__call__(req)
        except webob.exc.HTTPRequestEntityTooLarge:
            limit = self._conf_get("max_request_body_size")
            refusal = errors.RequestTooLarge(
                f"the request body ({req.content_length} bytes) is larger than "
                f"[oslo_middleware] max_request_body_size ({limit} bytes)")
            LOG.info("%s %s refused: %s", req.method, req.path, refusal.message)
            # NOTE: the unread body must not be taken for the next request
            # on a kept-alive connection.
            response = errors.response_for(refusal)
            response.headers["Connection"] = "close"
            return response


class CurrentContext:
    """Makes the request's oslo.context ``RequestContext`` (its user,
    project and request ids: :func:`valet_api.auth.context_of`) the thread's
    current one while ``app`` runs, so oslo.log's formatter shows its ids on
    every line and the RPC client sends it to the engine; the pecan hooks
    find it in the environ under :data:`valet_api.auth.CONTEXT_KEY`."""

    def __init__(self, app, strategy):
        self.app, self.strategy = app, strategy

    def __call__(self, environ, start_response):
        request_context = auth.context_of(environ, self.strategy)
        environ[auth.CONTEXT_KEY] = request_context
        request_context.update_store()
        try:
            return self.app(environ, start_response)
        finally:
            forget_current_context()


def forget_current_context():
    """No current oslo.context in this thread (log lines between requests
    then show ``[-]``, not the last request's ids).

    NOTE: oslo.context can set the current context but offers no call to
    unset it; its thread-local store is the only way.
    """
    vars(context._request_store).pop("context", None)
