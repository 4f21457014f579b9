"""``/v1/status``: is the API able to serve (its engine and its database)."""

import pecan
from sqlalchemy.exc import SQLAlchemyError

from ostro.errors import OstroError
from valet_api import errors
from valet_api.controllers import base


def report():
    """``{"engine": ..., "database": ...}``; a 503 when either is down."""
    request = pecan.request
    # NOTE: the engine runs in-process for now (DESIGN §2 "local"); the RPC
    # engine client will report its own reachability here.
    engine = {"mode": request.conf.engine.mode, "state": "ok"}
    try:
        generation = request.store.generation()
    except (SQLAlchemyError, OstroError) as exc:
        reason = exc.message if isinstance(exc, OstroError) else type(exc).__name__
        raise errors.ServiceUnavailable(f"the database is unusable ({reason})") from exc
    database = {"state": "ok", "backend": request.store.engine.dialect.name,
                "generation": generation}
    return {"engine": engine, "database": database}


class Status(base.Resource):
    @pecan.expose("json")
    def get(self):
        return {"status": report()}

    @pecan.expose()
    def head(self):
        report()
        return base.no_content()
