"""Who is asking: ``[api] auth_strategy`` (DESIGN §7).

``keystone``: the pecan app is wrapped by keystonemiddleware's
``auth_token``, configured from the app's own oslo.config object's
``[keystone_authtoken]`` section; a request without a valid token gets
auth_token's own 401 with ``WWW-Authenticate``.  ``GET /`` (the versions
document) and ``GET /v1/openapi.json`` (the API reference) stay public, as
in other OpenStack APIs, so that clients can discover the API before they
hold a token.

``noauth``: no token is asked for; every request acts as an ``admin`` with
the ``service`` role, in the project named by an ``X-Project-Id`` header if
the client sends one (plans then belong to that project).

Either way :func:`context_of` gives the request's oslo.context
``RequestContext``, which :mod:`valet_api.access` checks against the policy;
it carries the request ids oslo.middleware's ``request_id`` put in the
environ (:mod:`valet_api.middleware`), so the log lines and the RPC calls of
the request name them.
"""

from keystonemiddleware import auth_token
from oslo_context import context
from oslo_middleware import request_id

#: Where the pipeline leaves the request's context for the pecan hooks
#: (:class:`valet_api.middleware.CurrentContext`).
CONTEXT_KEY = "valet.context"

#: Paths served without a token in keystone mode: the versions document and
#: the API reference (what a client reads before it holds a token).
PUBLIC_PATHS = ("", "/", "/v1/openapi.json")

#: What a noauth request may do: everything (Keystone's implied roles spelled out).
NOAUTH_ROLES = ["admin", "member", "reader", "service"]


def wrap(app, conf):
    """``app`` behind the authentication ``[api] auth_strategy`` names."""
    if conf.api.auth_strategy == "keystone":
        return KeystoneAuthenticated(app, conf)
    return app


class KeystoneAuthenticated:
    """auth_token in front of the app, except for :data:`PUBLIC_PATHS`
    (``/healthcheck`` is answered before this: :mod:`valet_api.middleware`)."""

    def __init__(self, app, conf):
        self.app = app
        # NOTE: the app has its own ConfigOpts (not cfg.CONF); auth_token
        # registers its [keystone_authtoken] options on the object it is given.
        self.protected = auth_token.AuthProtocol(app, {"oslo_config_config": conf})

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "") in PUBLIC_PATHS:
            return self.app(environ, start_response)
        return self.protected(environ, start_response)


def context_of(environ, strategy):
    """The ``RequestContext`` of a request under ``strategy``."""
    ids = {"request_id": environ.get(request_id.ENV_REQUEST_ID),
           "global_request_id": environ.get(request_id.GLOBAL_REQ_ID)}
    if strategy == "noauth":
        return context.RequestContext(
            user_id="noauth", project_id=environ.get("HTTP_X_PROJECT_ID") or None,
            roles=list(NOAUTH_ROLES), is_admin=True, overwrite=False, **ids)
    # NOTE: auth_token puts keystone.token_info in the environ only for a
    # token it validated (a client cannot set environ keys, only HTTP_*
    # headers, which auth_token strips and rewrites); without it, as on the
    # public paths, the request has no roles at all.
    if "keystone.token_info" not in environ:
        return context.RequestContext(roles=[], overwrite=False, **ids)
    # NOTE: from_environ reads the same two request ids from the environ.
    return context.RequestContext.from_environ(environ, overwrite=False)
