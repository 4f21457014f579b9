"""A bounded schemathesis run against the real WSGI app (issue 13 §3):
requests generated from the API reference, valid ones for every operation
and invalid ones (negative) for every operation that has something to get
wrong, answered by the whole pipeline over a real SQLite store and a small
inventory.  No answer may be a 5xx, and every answer must conform to the
document: a documented status, content type, headers and body (schemathesis'
own checks, and tests/api/conformance.py's, which judges the answer by the
URI it reached).

The document is loaded from the app (``GET /v1/openapi.json``), so what is
tested is what clients read.  Before each operation a group, a member and a
plan are seeded; valid requests name them half of the time, so reads,
changes and deletes by id reach real objects rather than 404s.
"""

import urllib.parse

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ostro.state import migrate
from tests.api import conformance, engine_cases
from tests.api.engine_cases import plan_body, server
from valet_api import api_ref
from valet_api import app as valet_app

#: Examples per operation and mode (fewer where fewer inputs exist): about
#: 3,000 requests in all, half a minute here.
EXAMPLES = 50
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
#: What the seeded objects are called, by path parameter.
SEEDED = {"group": ["web"], "project": ["p1"], "plan": ["stack-1"],
          "placement": ["orch-a", "orch-b"], "host": ["r1-h1", "r2-h2"],
          "file": ["style.css", "favicon.svg", "d3-selection.min.js"]}

# NOTE: the operations from the packaged document, to name the tests at
# collection; the run itself loads the document the app serves.
OPERATIONS = {operation.label: operation for operation in
              (result.ok() for result in
               schemathesis.openapi.from_dict(api_ref.document()).get_all_operations())}


def negatable(operation):
    """Whether an invalid request exists: a body, or a parameter whose
    schema says more than "a string"."""
    definition = operation.definition.raw
    if "requestBody" in definition:
        return True
    return any(set(parameter.definition.get("schema", {})) - {"type"}
               for parameter in operation.iter_parameters())


CASES = [pytest.param(label, GenerationMode.POSITIVE, id=f"{label} valid")
         for label in OPERATIONS]
CASES += [pytest.param(label, GenerationMode.NEGATIVE, id=f"{label} invalid")
          for label, operation in OPERATIONS.items() if negatable(operation)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the run (its store lives across operations), every
    optional route on."""
    directory = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{directory}/valet.sqlite"
    migrate.upgrade(url)
    conf = engine_cases.engine_conf(url, engine_cases.write_inventory(directory))
    conf.set_override("dashboard", True, "api")
    app = valet_app.setup_app(conf=conf)
    yield app
    app.store.close()


@pytest.fixture(scope="module")
def schema(app):
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", app)


def seed(app):
    """The seeded objects, made again if an earlier operation removed them
    (each call is idempotent: a taken name is a 409, a planned stack id
    answers the existing plan)."""
    client = conformance.CheckedApp(app)
    client.post_json("/v1/groups", {"name": "web", "type": "diversity", "level": "rack"},
                     expect_errors=True)
    client.put_json("/v1/groups/web/members", {"members": ["p1"]}, expect_errors=True)
    client.post_json("/v1/plans", plan_body("stack-1", server("a"), server("b")),
                     expect_errors=True)


def reaches_its_own_uri(case):
    """Path values that name another URI once decoded ('', '.', '..', one
    holding '/') would be judged against the wrong operation by
    schemathesis' checks; conformance.check judges those by the URI
    reached, in tests/api/test_openapi.py's way, so nothing is lost."""
    for value in (case.path_parameters or {}).values():
        decoded = urllib.parse.unquote(str(value))
        if decoded in ("", ".", "..") or "/" in decoded:
            return False
    return True


def cases(operation, mode):
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if mode is GenerationMode.POSITIVE and names:
        seeded = st.fixed_dictionaries({name: st.sampled_from(SEEDED[name]) for name in names})
        generated = st.one_of(generated, seeded.flatmap(
            lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)))
    return generated.filter(reaches_its_own_uri)


@pytest.mark.parametrize("label, mode", CASES)
def test_every_answer_conforms(app, schema, label, mode):
    operation = schema.find_operation_by_label(label)
    seed(app)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(case=cases(operation, mode))
    def run(case):
        response = case.call_and_validate(app=app, checks=CHECKS)
        request = response.request
        target = urllib.parse.urlsplit(request.url)
        headers = [(name, value) for name, values in response.headers.items()
                   for value in values]
        conformance.check(request.method, urllib.parse.unquote(target.path),
                          response.status_code, headers, response.content,
                          query=urllib.parse.parse_qsl(target.query))

    run()
