"""Input the API cannot take (issue 11 §3), as one table: each row is a
request that answered 500 or 503 (or was stored, or answered without
Valet's error body) before ``valet_api.inputs`` and the bounds of
``ostro.parse.values``, and now answers 400 (or 413) in the error body,
naming the field, the header or the path segment.

``tests/api/test_bad_input.py`` runs the table on SQLite,
``tests/postgres/test_bad_input_postgres.py`` on a real PostgreSQL server,
where a 256-character name and a NUL byte were the database's 503s.
"""

import dataclasses
import json

import pytest

from tests.api.api_cases import assert_error
from tests.api.engine_cases import server

LONG = "x" * 256          # one more than every VARCHAR(255) column
LIMIT = "x" * 255
DEEP = 100_000


@dataclasses.dataclass
class Case:
    method: str
    path: str
    body: object = None           # JSON data (NaN allowed), or bytes sent as they are
    words: tuple = ()             # in the error message: the field, header or segment
    status: int = 400
    content_type: str = "application/json"
    headers: dict = dataclasses.field(default_factory=dict)

    def encoded(self):
        if self.body is None or isinstance(self.body, bytes):
            return self.body or b""
        return json.dumps(self.body).encode()


def pipe(bandwidth, field="bandwidth"):
    """A plan of two servers and a pipe between them."""
    return plan({**dict([server("a"), server("b")]),
                 "orch-p": {"type": "ATT::QoS::Pipe", "name": "p",
                            "properties": {"resources": ["a", "b"], field: bandwidth}}})


def volume(size):
    return plan({"orch-v": {"type": "OS::Cinder::Volume", "name": "v",
                            "properties": {"size": size}}})


def plan(resources, **fields):
    return {"stack_id": "stack-1", "plan_name": "plan-1", "resources": resources, **fields}


def with_server(**entry):
    """A plan of one server whose Heat entry has ``entry`` too."""
    orch_id, heat = server("a")
    return plan({orch_id: {**heat, **entry}})


def new_group(**fields):
    return {"name": "web", "type": "affinity", "level": "host", **fields}


def raw(text):
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text


BANDWIDTH = "resources.orch-p.properties.bandwidth"
SIZE = "resources.orch-v.properties.size"

CASES = {
    # -- the body as a whole: depth, encoding, charset ------------------------
    "array nested 100,000 deep": Case("POST", "/v1/plans", b"[" * DEEP + b"]" * DEEP,
                                      ("nested deeper than 64",)),
    "object nested 100,000 deep": Case("POST", "/v1/groups",
                                       b'{"a":' * DEEP + b"1" + b"}" * DEEP,
                                       ("nested deeper than 64",)),
    "nested 65 deep in resources": Case(
        "POST", "/v1/plans", raw('{"stack_id": "s", "resources": {"o": {"properties": {"x": '
                                 + "[" * 61 + "]" * 61 + "}}}}"),
        ("resources.o.properties.x" + "[0]" * 60 + ": nested deeper than 64",)),
    "charset bogus": Case("POST", "/v1/groups", new_group(), ("Content-Type", "bogus"),
                          content_type="application/json; charset=bogus"),
    "charset bogus without a body": Case("DELETE", "/v1/groups/web", None,
                                         ("Content-Type", "bogus"),
                                         content_type="application/json; charset=bogus"),
    "charset latin-1": Case("PUT", "/v1/plans/p", {"action": "update", "resources": {}},
                            ("Content-Type", "latin-1"),
                            content_type="application/json; charset=latin-1"),
    "body not UTF-8": Case("POST", "/v1/plans", b'{"stack_id": "\xff"}',
                           ("not UTF-8", "byte 14")),
    "group body not UTF-8": Case("POST", "/v1/groups", b'{"name": "\xc3\x28"}',
                                 ("not UTF-8",)),
    "encoded surrogate in UTF-8": Case("POST", "/v1/plans", b'{"stack_id": "\xed\xa0\x80"}',
                                       ("not UTF-8",)),
    # -- numbers ----------------------------------------------------------------
    "bandwidth NaN": Case("POST", "/v1/plans", pipe(float("nan")), (BANDWIDTH, "NaN")),
    "bandwidth Infinity": Case("POST", "/v1/plans", pipe(float("inf")),
                               (BANDWIDTH, "Infinity")),
    "bandwidth -Infinity": Case("POST", "/v1/plans", pipe(float("-inf")),
                                (BANDWIDTH, "Infinity")),
    "bandwidth 1e308": Case("POST", "/v1/plans", pipe(1e308), (BANDWIDTH, "at most")),
    "bandwidth 2**63": Case("POST", "/v1/plans", pipe(2 ** 63), (BANDWIDTH, "64 bits")),
    "bandwidth 2**62": Case("POST", "/v1/plans", pipe(2 ** 62), (BANDWIDTH, "at most")),
    "bandwidth 1e400 (overflows a float)": Case(
        "POST", "/v1/plans",
        raw(json.dumps(pipe(1)).replace('"bandwidth": 1', '"bandwidth": 1e400')),
        (BANDWIDTH, "too large")),
    "bandwidth of 400 digits": Case("POST", "/v1/plans", pipe("9" * 400),
                                    (BANDWIDTH, "cannot read")),
    "bandwidth '1e9 Gbps'": Case("POST", "/v1/plans", pipe("1000000000 Gbps"),
                                 (BANDWIDTH, "at most")),
    "max_bandwidth NaN": Case("POST", "/v1/plans", pipe(float("nan"), "max_bandwidth"),
                              ("resources.orch-p.properties.max_bandwidth", "NaN")),
    "size superscript two": Case("POST", "/v1/plans", volume("²"), (SIZE, "ASCII digits")),
    "size of 5,000 digits": Case("POST", "/v1/plans", volume("9" * 5000),
                                 (SIZE, "ASCII digits")),
    "size in Arabic-Indic digits": Case("POST", "/v1/plans", volume("١٢"),
                                        (SIZE, "ASCII digits")),
    "size 2**40 GB": Case("POST", "/v1/plans", volume(2 ** 40), (SIZE, "at most")),
    "an integer of 5,000 digits": Case(
        "POST", "/v1/plans", raw('{"stack_id": "s", "resources": {}, "timeout": ' + "9" * 5000
                                 + "}"), ("field timeout", "64 bits")),
    "NaN in a server's properties": Case(
        "POST", "/v1/plans", with_server(properties={"flavor": "small", "x": float("nan")}),
        ("resources.orch-a.properties.x", "NaN")),
    "Infinity in metadata": Case(
        "POST", "/v1/plans", with_server(metadata={"hint": [1, float("inf")]}),
        ("resources.orch-a.metadata.hint[1]", "Infinity")),
    "NaN in a resource Valet ignores": Case(
        "POST", "/v1/plans", plan({"orch-n": {"type": "OS::Neutron::Port",
                                              "properties": {"mtu": float("nan")}}}),
        ("resources.orch-n.properties.mtu", "NaN")),
    "NaN in an update": Case(
        "PUT", "/v1/plans/p", {"action": "update", "resources": {
            "orch-a": {"type": "OS::Nova::Server", "properties": {"x": float("nan")}}}},
        ("resources.orch-a.properties.x", "NaN")),
    # -- text: lone surrogates, NUL, types --------------------------------------
    "lone surrogate in stack_id": Case("POST", "/v1/plans",
                                       b'{"stack_id": "\\ud800", "resources": {}}',
                                       ("field stack_id", "surrogate")),
    "lone surrogate in plan_name": Case(
        "POST", "/v1/plans", b'{"stack_id": "s", "plan_name": "a\\udfff", "resources": {}}',
        ("field plan_name", "surrogate")),
    "lone surrogate in description": Case(
        "POST", "/v1/groups", b'{"name": "g", "type": "affinity", "level": "host", '
                              b'"description": "\\udc00"}', ("field description", "surrogate")),
    "lone surrogate in a changed description": Case(
        "PUT", "/v1/groups/g", b'{"description": "\\ud83d"}', ("field description", "surrogate")),
    "lone surrogate in a key": Case(
        "POST", "/v1/plans", b'{"stack_id": "s", "resources": {"\\ud800": {}}}',
        ("field resources", "key", "surrogate")),
    "non-string resource_id": Case("POST", "/v1/plans", with_server(resource_id=7),
                                   ("resources.orch-a.resource_id", "string")),
    "non-string resource_id in an update": Case(
        "PUT", "/v1/plans/p", {"action": "update", "resources": {
            "orch-a": {"type": "OS::Nova::Server", "resource_id": {"id": 1}}}},
        ("resources.orch-a.resource_id", "string")),
    "non-string resource name": Case("POST", "/v1/plans", with_server(name=["a"]),
                                     ("resources.orch-a.name", "string")),
    "NUL in stack_id": Case("POST", "/v1/plans", plan({}, stack_id="a\0b"),
                            ("field stack_id", "NUL")),
    "NUL in plan_name": Case("POST", "/v1/plans", plan({}, plan_name="\0"),
                             ("field plan_name", "NUL")),
    "NUL in a resource name": Case("POST", "/v1/plans", with_server(name="a\0"),
                                   ("resources.orch-a.name", "NUL")),
    "NUL in metadata": Case("POST", "/v1/plans", with_server(metadata={"k": "v\0"}),
                            ("resources.orch-a.metadata.k", "NUL")),
    "NUL in a description": Case("POST", "/v1/groups", new_group(description="\0"),
                                 ("field description", "NUL")),
    "NUL in a member": Case("PUT", "/v1/groups/web/members", {"members": ["p\0"]},
                            ("field members[0]", "NUL")),
    "NUL in resource_id of a reserve": Case(
        "POST", "/v1/placements/orch-a", {"action": "reserve", "locations": ["r1-h1"],
                                          "resource_id": "\0"}, ("field resource_id", "NUL")),
    "NUL in locations": Case("POST", "/v1/placements/orch-a",
                             {"action": "reserve", "locations": ["r1-h1\0"]},
                             ("field locations[0]", "NUL")),
    # -- one length limit for names and ids (VARCHAR(255)) ----------------------
    "group name of 256": Case("POST", "/v1/groups", new_group(name=LONG), ("name", "255")),
    "member id of 256": Case("POST", "/v1/groups", new_group(members=[LONG]),
                             ("members", "255")),
    "added member id of 256": Case("PUT", "/v1/groups/web/members", {"members": [LONG]},
                                   ("members", "255")),
    "stack_id of 256": Case("POST", "/v1/plans", plan({}, stack_id=LONG),
                            ("field stack_id", "255")),
    "plan_name of 256": Case("POST", "/v1/plans", plan({}, plan_name=LONG),
                             ("field plan_name", "255")),
    "project_id of 256": Case("POST", "/v1/plans", plan({}, project_id=LONG),
                              ("field project_id", "255")),
    "orchestration id of 256": Case("POST", "/v1/plans", plan({LONG: server("a")[1]}),
                                    ("field resources", "orchestration id", "255")),
    "resource name of 256": Case("POST", "/v1/plans", with_server(name=LONG),
                                 ("resources.orch-a.name", "255")),
    "resource_id of 256": Case("POST", "/v1/plans", with_server(resource_id=LONG),
                               ("resources.orch-a.resource_id", "255")),
    "ad hoc server name of 256": Case(
        "POST", "/v1/placements/nova-1", {"action": "reserve", "locations": ["r1-h1"],
                                          "resource_id": "nova-1", "adhoc": {
                                              "resource": server("a")[1], "name": LONG}},
        ("field adhoc.name", "255")),
    "ad hoc resource name of 256": Case(
        "POST", "/v1/placements/nova-1", {"action": "reserve", "locations": ["r1-h1"],
                                          "resource_id": "nova-1", "adhoc": {
                                              "resource": server(LONG)[1]}},
        ("field adhoc.resource.name", "255")),
    "X-Project-Id of 256": Case("POST", "/v1/plans", plan({}), ("X-Project-Id", "255"),
                                headers={"X-Project-Id": LONG}),
    # -- paths and query strings ------------------------------------------------
    **{f"%ff in {path}": Case(method, path, None, ("path", "not UTF-8"))
       for method, path in [("GET", "/v1/groups/%ff"), ("GET", "/v1/plans/%ff"),
                            ("DELETE", "/v1/placements/%ff"), ("GET", "/v1/hosts/%ff"),
                            ("GET", "/v1/groups/web/members/%ff"), ("GET", "/v1/%ff")]},
    **{f"NUL in {path}": Case(method, path, None, ("path segment 3", "NUL"))
       for method, path in [("GET", "/v1/groups/a%00"), ("DELETE", "/v1/plans/a%00"),
                            ("GET", "/v1/placements/%00"), ("GET", "/v1/hosts/h%00")]},
    "NUL in a member's path": Case("DELETE", "/v1/groups/web/members/p%00", None,
                                   ("path segment 5", "NUL")),
    "path segment of 256": Case("GET", f"/v1/groups/{LONG}", None, ("path segment 3", "255")),
    "plan path segment of 256": Case("DELETE", f"/v1/plans/{LONG}", None,
                                     ("path segment 3", "255")),
    "%ff in a query": Case("GET", "/v1/placements?name=%ff", None, ("query string", "UTF-8")),
    "%ff in a query's key": Case("GET", "/v1/placements?%ff=1", None,
                                 ("query string", "UTF-8")),
    "NUL in a query": Case("GET", "/v1/placements?location=%00", None,
                           ("query parameter 'location'", "NUL")),
}

#: At the limits, accepted (so the limits are not stricter than they say).
ACCEPTED = {
    "group name of 255": Case("POST", "/v1/groups", new_group(name=LIMIT), status=201),
    "stack_id and plan_name of 255": Case("POST", "/v1/plans",
                                          plan({}, stack_id=LIMIT, plan_name=LIMIT),
                                          status=201),
    "names and ids of 255 in resources": Case(
        "POST", "/v1/plans", plan({LIMIT: {**server("a")[1], "name": LIMIT,
                                           "resource_id": LIMIT}}), status=201),
    "charset utf-8": Case("POST", "/v1/groups", new_group(), status=201,
                          content_type='application/json; charset="UTF-8"'),
    "bandwidth 1 Tbps": Case("POST", "/v1/plans", pipe("1000 Gbps"), status=201),
    "size in ASCII digits": Case("POST", "/v1/plans", volume("12"), status=409),
    "a valid surrogate pair": Case("POST", "/v1/plans",
                                   b'{"stack_id": "\\ud83d\\ude00", "resources": {}}',
                                   status=201),
    "nested 64 deep": Case(
        "POST", "/v1/plans", raw('{"stack_id": "s", "resources": {"o": {"properties": {"x": '
                                 + "[" * 60 + "]" * 60 + "}}}}"), status=201),
}


def send(api, case):
    return api.request(case.path, method=case.method, body=case.encoded(),
                       content_type=case.content_type if case.body is not None or
                       "charset" in case.content_type else None,
                       headers=case.headers, expect_errors=True)


def parametrized(table):
    return pytest.mark.parametrize("case", [pytest.param(case, id=name)
                                            for name, case in table.items()])


class BadInputCases:
    """The table's tests; a test module subclasses this where ``engine_api``
    runs over its database (SQLite or PostgreSQL)."""

    @parametrized(CASES)
    def test_bad_input_is_refused_naming_it(self, engine_api, case):
        assert_error(send(engine_api, case), case.status, *case.words)
        # NOTE: nothing was stored, and the routes still answer.
        assert engine_api.get("/v1/plans").json == {"plans": []}
        assert engine_api.get("/v1/groups").json == {"groups": []}

    @parametrized(ACCEPTED)
    def test_input_at_the_limits_is_accepted(self, engine_api, case):
        response = send(engine_api, case)
        assert response.status_int == case.status, response.text
