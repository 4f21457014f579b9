"""The API reference: ``openapi.yaml`` beside this module, an OpenAPI 3.1
document of every route, served as JSON at ``GET /v1/openapi.json``
(:mod:`valet_api.controllers.v1.openapi`) and checked against the app by
the API tests (doc/api-ref/README.md).

NOTE: hand-written YAML rather than generated from the WSME types: the plan
and placement bodies are checked by hand (Heat's ``resources`` is any JSON),
so most of the API has no types to generate from, and a reader of the
reference wants the prose and examples a generator cannot write.
"""

import copy
import functools
import pathlib

import yaml

#: The document's file; the wheel ships it as package data (setup.cfg).
PATH = pathlib.Path(__file__).with_name("openapi.yaml")


@functools.cache
def _loaded():
    # NOTE: safe_load expands the file's anchors and merge keys, so the JSON
    # served holds plain objects only.
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def document():
    """The document as JSON data (a new copy: callers may change it)."""
    return copy.deepcopy(_loaded())
