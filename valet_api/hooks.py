"""Pecan hooks: what every request finds on ``pecan.request``, and how
errors become responses."""

from pecan import hooks

from valet_api import errors


class ContextHook(hooks.PecanHook):
    """Puts ``conf`` (the oslo.config object), ``store`` (the app's one
    :class:`ostro.state.store.Store`) and ``operations`` (the engine's
    operations, in-process or over RPC: :mod:`valet_api.engine_client`) on
    the request."""

    def __init__(self, conf, store, operations=None):
        self.conf, self.store, self.operations = conf, store, operations

    def on_route(self, state):
        state.request.conf = self.conf
        state.request.store = self.store
        state.request.operations = self.operations


class ErrorHook(hooks.PecanHook):
    """Turns every exception into the JSON error body of :mod:`valet_api.errors`,
    and logs it (:func:`valet_api.errors.log`)."""

    def __init__(self, conf):
        self.conf = conf

    def on_error(self, state, exc):
        errors.log(exc, state.request.method, state.request.path_qs)
        return errors.response_for(exc, debug=self.conf.debug)
