"""The routes the API reference documents are the routes the app serves,
both ways: every documented path is a pecan resource (or a route of the
WSGI pipeline in front of pecan) answering exactly the documented verbs,
every handler of the app (``valet_api.access.RULES``, which a handler must
be in to be called at all) is a documented operation, and no resource has
a child the document does not name."""

import re

import pytest

from tests.api import conformance, engine_cases
from valet_api import access
from valet_api.controllers import base, root, v1

PATHS = conformance.DOCUMENT["paths"]
#: Answered by the WSGI pipeline in front of pecan (valet_api/middleware.py).
PIPELINE = ("/healthcheck", "/dashboard", "/dashboard/static/{file}",
            "/dashboard/static/vendor/{file}")
PECAN = [path for path in PATHS if path not in PIPELINE]
#: A value for each path parameter, naming objects the HTTP tests need not create.
VALUES = {"group": "web", "project": "p1", "plan": "s1", "placement": "orch-a",
          "host": "r1-h1", "file": "style.css"}
ALL_VERBS = tuple(verb.upper() for verb in base.VERBS) + ("OPTIONS", "TRACE")


def verbs(path):
    return {verb.upper() for verb in conformance.VERBS if verb in PATHS[path]}


def concrete(path):
    return re.sub(r"\{(\w+)\}", lambda match: VALUES[match.group(1)], path)


def resource_at(path):
    """The pecan resource ``path`` routes to, as the app routes it."""
    resource = root.Root()
    for segment in concrete(path).split("/")[1:] if path != "/" else ():
        resource = resource.child(segment)
        assert resource is not None, f"{path}: no resource at {segment}"
    return resource


@pytest.mark.parametrize("path", PECAN)
def test_every_documented_path_is_a_resource_answering_its_verbs(path):
    assert set(resource_at(path).allowed()) == verbs(path)


def test_every_handler_is_a_documented_operation():
    documented = {(type(resource_at(path)), verb.lower()) for path in PECAN
                  for verb in verbs(path) if verb != "OPTIONS"}
    assert documented == set(access.RULES)


def probes():
    """Every literal segment of the document, every noun of v1, and a few
    names no route has."""
    literals = {segment for path in PATHS for segment in path.split("/")
                if segment and not segment.startswith("{")}
    return sorted(literals | set(v1.NOUNS) | {"v2", "nothing", "openapi.yaml", "x"})


@pytest.mark.parametrize("path", PECAN)
def test_no_resource_has_an_undocumented_child(path):
    resource = resource_at(path)
    for probe in probes():
        below = resource.child(probe)
        if below is not None:
            uri = concrete(path).rstrip("/") + "/" + probe
            try:
                conformance._path_item(uri)
            except KeyError:
                pytest.fail(f"{uri} is served ({type(below).__name__}) but not documented")


# -- over HTTP, the pipeline's routes included -----------------------------------

@pytest.fixture
def full_api(empty_url, inventory):
    """The app with every optional route on (the dashboard)."""
    conf = engine_cases.engine_conf(empty_url, inventory)
    conf.set_override("dashboard", True, "api")
    with engine_cases.engine_api(empty_url, inventory, conf=conf) as client:
        yield client


@pytest.mark.parametrize("path", list(PATHS))
def test_options_lists_the_documented_verbs_and_others_are_405(full_api, path):
    uri = concrete(path)
    answer = full_api.options(uri, status=204)
    assert {verb.strip() for verb in answer.headers["Allow"].split(",")} == verbs(path)
    # NOTE: CheckedApp holds each answer to the document: a 405 with the
    # documented Allow for every verb the path does not document.
    for verb in ALL_VERBS:
        if verb not in verbs(path):
            assert full_api.request(uri, method=verb, expect_errors=True).status_int == 405


def test_the_pipelines_routes_answer(full_api):
    assert full_api.get("/healthcheck", status=200).text.startswith("database: OK")
    assert full_api.get("/dashboard", status=200).content_type == "text/html"
    assert full_api.get("/dashboard/static/style.css", status=200).content_type == "text/css"
    assert full_api.get("/dashboard/static/vendor/d3-selection.min.js",
                        status=200).content_type == "text/javascript"
    assert full_api.get("/dashboard/", status=301).location.endswith("/dashboard")
    full_api.get("/dashboard/static/nothing.js", status=404)
