"""``/v1/status``: is the API able to serve (its engine and its database)."""

import pecan
from sqlalchemy.exc import SQLAlchemyError

from ostro.errors import OstroError
from valet_api import errors
from valet_api.controllers import base


def report():
    """``{"engine": ..., "database": ...}``; a 503 when either is down."""
    request = pecan.request
    engine = {"mode": request.conf.engine.mode, "state": "ok"}
    if request.conf.engine.mode == "rpc":
        # NOTE: a remote engine is up only if it answers; in process it is up
        # with the API (an unreadable inventory shows on the plan routes).
        try:
            engine.update(request.operations.status())
        except OstroError as exc:
            raise errors.ServiceUnavailable(f"the engine is unavailable: {exc.message}") from exc
    try:
        generation = request.store.generation()
    except (SQLAlchemyError, OstroError) as exc:
        reason = exc.message if isinstance(exc, OstroError) else type(exc).__name__
        raise errors.ServiceUnavailable(f"the database is unusable ({reason})") from exc
    database = {"state": "ok", "backend": request.store.db.dialect.name,
                "generation": generation}
    return {"engine": engine, "database": database}


class Status(base.Resource):
    @pecan.expose("json")
    def get(self):
        return {"status": report()}

    @pecan.expose(content_type="application/json")
    def head(self):
        report()
        return base.no_content()
