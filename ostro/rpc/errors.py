"""Engine errors across RPC: the API gets the class, message and fields the
engine raised, so it answers as in local mode.

oslo.messaging rebuilds a remote exception by calling its class with the
``args`` it had (``klass(*args, **kwargs)``), which fits no engine error
whose constructor composes its message (``NoPlacement(rule, resource, ...)``).
So the endpoint sends every engine error inside one :class:`EngineRefusal`
whose single argument is JSON (:func:`wire`), and the client raises the
rebuilt original (:func:`rebuild`).
"""

import importlib

from ostro.errors import OstroError

#: Modules whose errors may be rebuilt from what the engine sent (no other
#: class is ever imported or made on the word of a message).
ERROR_MODULES = ("ostro.errors", "ostro.state.store")


class EngineRefusal(Exception):
    """An engine error on its way to the client; ``error`` is :func:`wire`'s dict."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def wire(exc):
    """``exc`` as JSON data: its module, class, message and own fields."""
    fields = {name: value for name, value in vars(exc).items() if name != "message"}
    return {"module": type(exc).__module__, "class": type(exc).__name__,
            "type": exc.kind, "message": exc.message, "fields": fields}


def rebuild(error):
    """The engine error :func:`wire` described: the same class, message and
    fields (tuples arrive as lists)."""
    module, name = error.get("module"), error.get("class")
    klass = None
    if module in ERROR_MODULES:
        klass = getattr(importlib.import_module(module), name, None)
    known = isinstance(klass, type) and issubclass(klass, OstroError)
    # NOTE: the constructors compose the message from their arguments; the
    # message is already composed, so set it and the fields directly.
    exc = klass.__new__(klass) if known else OstroError.__new__(OstroError)
    OstroError.__init__(exc, error["message"])
    if not known:
        # NOTE: an engine newer than this API may raise a class unknown here;
        # its message and type still reach the caller (as a 500).
        exc.kind = error.get("type", OstroError.kind)
    for field, value in error.get("fields", {}).items():
        setattr(exc, field, value)
    return exc
