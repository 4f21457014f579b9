"""``GET /healthcheck``: may a load balancer send this API requests?

oslo.middleware's healthcheck answers (200, or 503 with the reasons; HEAD
204/503; text, JSON or HTML as asked) from its backends, stevedore plugins
of ``oslo.middleware.healthcheck``.  Valet's own backend, ``valet``
(:class:`ValetCheck`), is always consulted; ``[healthcheck] backends`` may
add others (``disable_by_file``, ...).  It asks:

* the database: one read of the change log's generation, as every request
  does first (a 503 reason starting ``database:``);
* in ``[engine] mode = rpc``, an engine: an RPC ``ping`` that must be
  answered within ``[api] healthcheck_engine_timeout`` seconds (a reason
  starting ``engine:``).  In ``local`` mode the engine is this process.

No token is needed (the route is in front of the authentication) and the
reasons never hold a URL or a driver's message; the log has those, once
per change from healthy to failing (load balancers ask every few seconds).
"""

import logging

import webob
import webob.dec
from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import pluginbase

from ostro.state.store import Store
from valet_api import errors

LOG = logging.getLogger(__name__)

#: The entry point name of :class:`ValetCheck` (setup.cfg).
BACKEND = "valet"
#: The verbs ``/healthcheck`` answers; OPTIONS lists them (DESIGN §4).
ALLOWED = ("GET", "HEAD", "OPTIONS")


class Healthcheck(healthcheck.Healthcheck):
    """oslo.middleware's healthcheck with Valet's backend always among its
    backends (and refusing to start without it, so a broken install cannot
    answer 200 having checked nothing)."""

    def __init__(self, application, conf):
        super().__init__(application, conf)
        if BACKEND not in self._backends.names():
            raise RuntimeError(f"the healthcheck backend {BACKEND!r} is not installed "
                               "(entry point oslo.middleware.healthcheck: reinstall Valet)")

    @webob.dec.wsgify
    def process_request(self, req):
        # NOTE: oslo.middleware answers every verb with the health check's
        # result; like every URI of the API, OPTIONS is 204 with Allow and
        # any other verb a 405 (DESIGN §4), so a POST never reads as a check.
        if req.method == "OPTIONS":
            return webob.Response(status=204, headers={"Allow": ", ".join(ALLOWED)})
        if req.method not in ALLOWED:
            refusal = errors.MethodNotAllowed(req.method, ALLOWED)
            errors.log(refusal, req.method, req.path)
            return errors.response_for(refusal)
        return super().process_request(req)

    def _conf_get(self, key, group="healthcheck"):
        value = super()._conf_get(key, group=group)
        if group == "healthcheck" and key == "backends" and BACKEND not in value:
            value = [BACKEND, *value]
        return value


class ValetCheck(pluginbase.HealthcheckBaseExtension):
    """The database and (rpc mode) an engine, over ``oslo_conf``: the
    configuration the app was built from.

    NOTE: it opens its own store and RPC client, on first use: a plugin
    gets only the configuration, and a check should not depend on the
    state of the connections it judges.
    """

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self._store = self._engine = None
        self._failing = set()

    def healthcheck(self, server_port):
        reasons = [self._probe("database", self._ask_database)]
        if self.oslo_conf.engine.mode == "rpc":
            reasons.append(self._probe("engine", self._ask_engine))
        else:
            reasons.append("engine: in process")
        healthy = not self._failing
        return pluginbase.HealthcheckResult(available=healthy, reason="; ".join(reasons))

    def _probe(self, what, ask):
        """``ask()``'s reason, logging a change between answering and failing."""
        try:
            reason = ask()
        except Exception as exc:    # noqa: BLE001 (any failure is "unhealthy")
            if what not in self._failing:
                LOG.warning("healthcheck: the %s does not answer: %s: %s",
                            what, type(exc).__name__, exc)
            self._failing.add(what)
            return f"{what}: {_failure(what, exc)}"
        if what in self._failing:
            LOG.info("healthcheck: the %s answers again", what)
            self._failing.discard(what)
        return f"{what}: {reason}"

    def _ask_database(self):
        if self._store is None:
            self._store = Store(self.oslo_conf.database.connection)
        self._store.generation()
        return "OK"

    def _ask_engine(self):
        if self._engine is None:
            # NOTE: imported here so local mode never loads oslo.messaging.
            from ostro.rpc.client import Client
            self._engine = Client(self.oslo_conf)
        self._engine.ping(timeout=self.oslo_conf.api.healthcheck_engine_timeout)
        return "OK"


def _failure(what, exc):
    """What a reason says about ``exc``: the engine's own words (they name
    the topic and the timeout, never the broker's URL), the error's type
    for the database (a driver's message may hold its URL)."""
    if what == "engine" and hasattr(exc, "message"):
        return exc.message
    return f"unreachable or unusable ({type(exc).__name__})"
