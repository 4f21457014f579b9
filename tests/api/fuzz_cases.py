"""A bounded property-based fuzz run of every route (issue 11 §3): whatever
path, query string, header or body a client sends, the answer is never a
5xx, and every refusal is Valet's JSON error body.

Bodies are mostly shaped like the real ones (plans with Heat resources,
groups, placement actions, plan changes) with hostile values in their
fields (NaN, huge numbers, lone surrogates, NUL, non-ASCII digits, long
names, deep nesting), so the fuzz reaches the engine and the store rather
than stopping at the first check; the rest is any JSON or any bytes. The app
and its database live for the whole run: what one example creates, later
ones read, change and delete.

``tests/api/test_bad_input.py`` runs it on SQLite,
``tests/postgres/test_bad_input_postgres.py`` on PostgreSQL.
"""

import json
import urllib.parse

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.api_cases import ERROR_FIELDS

#: Names the examples share, so that they find each other's objects.
NAMES = ("web", "db", "stack-1", "orch-a", "orch-b", "a", "b", "r1-h1", "r2-h2", "small",
         "p1")
RESOURCE_NAMES = ("a", "b", "c", "g")
PROPERTY_KEYS = ("flavor", "size", "bandwidth", "max_bandwidth", "resources", "level",
                 "group_type", "group_name", "relationship", "metadata", "availability_zone",
                 "volume_type", "image", "block_device_mapping")
WORDS = ("small", "half", "large", "host", "rack", "cluster", "affinity", "diversity",
         "exclusivity", "hard", "soft", "reserve", "replan", "update", "migrate", "1 Gbps",
         "12", "²", "١٢", "9" * 40, "NaN", "")

characters = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                       st.sampled_from("\x00²١\\\"/.%~"))
texts = st.one_of(st.sampled_from(NAMES + WORDS), st.text(characters, max_size=12),
                  st.builds(lambda c, n: c * n, characters, st.integers(250, 260)))
numbers = st.one_of(st.integers(-2, 2 ** 64), st.sampled_from([2 ** 63, -2 ** 63, 10 ** 30]),
                    st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
names = st.lists(st.sampled_from(NAMES), max_size=3)


def mostly(valid, hostile=json_values, odds=3):
    """``valid`` ``odds`` times to one hostile value: requests get past the
    first check often enough to reach the engine and the store."""
    # NOTE: one_of(valid, valid, valid, hostile) is not 3:1 (Hypothesis does
    # not weigh repeated branches); a drawn index is.
    return st.integers(0, odds).flatmap(lambda draw: hostile if draw == odds else valid)


members = st.lists(st.sampled_from(RESOURCE_NAMES + ("orch-a",)), min_size=1, max_size=3)
group_names = st.lists(st.sampled_from(("web", "db")), max_size=2)
properties = {
    "OS::Nova::Server": st.fixed_dictionaries(
        {"flavor": mostly(st.sampled_from(("small", "half", "large")))},
        optional={"metadata": mostly(st.fixed_dictionaries(
                      {"valet": st.fixed_dictionaries({"groups": group_names})})),
                  "availability_zone": mostly(st.just("nova"))}),
    "OS::Cinder::Volume": st.fixed_dictionaries(
        {"size": mostly(st.one_of(st.integers(1, 100), st.sampled_from(("12", "²", "١٢"))))}),
    "OS::Valet::GroupAssignment": st.fixed_dictionaries(
        {"group_type": mostly(st.sampled_from(("affinity", "diversity", "exclusivity"))),
         "level": mostly(st.sampled_from(("host", "rack", "cluster"))),
         "resources": mostly(members)}),
    "ATT::QoS::Pipe": st.fixed_dictionaries(
        {"resources": mostly(st.lists(st.sampled_from(RESOURCE_NAMES), min_size=2,
                                      max_size=2)),
         "bandwidth": mostly(st.one_of(st.integers(1, 10 ** 6), st.just("1 Gbps")), numbers)},
        optional={"max_bandwidth": numbers}),
    "OS::Neutron::Port": st.dictionaries(st.sampled_from(PROPERTY_KEYS), json_values,
                                         max_size=3),
}
heat_entries = st.sampled_from(sorted(properties)).flatmap(lambda kind: st.fixed_dictionaries(
    {"type": mostly(st.just(kind)), "properties": mostly(properties[kind])},
    optional={"name": mostly(st.sampled_from(RESOURCE_NAMES), texts),
              "resource_id": st.one_of(st.uuids().map(str), texts, numbers),
              "metadata": json_values}))
resources = st.dictionaries(mostly(st.sampled_from(("orch-a", "orch-b", "orch-c", "orch-g")),
                                   texts), heat_entries, max_size=4)
plan_bodies = st.fixed_dictionaries(
    {"stack_id": mostly(st.sampled_from(NAMES), texts), "resources": mostly(resources)},
    optional={"plan_name": mostly(st.sampled_from(NAMES), texts), "locations": names,
              "timeout": mostly(st.integers(1, 600)),
              "project_id": mostly(st.sampled_from(("p1", "p2")), texts)})
changes = st.one_of(
    st.fixed_dictionaries({"action": st.just("update"), "resources": mostly(resources)}),
    st.fixed_dictionaries({"action": mostly(st.just("migrate")), "resources": names},
                          optional={"excluded_hosts": names}))
group_bodies = st.fixed_dictionaries(
    {"name": mostly(st.sampled_from(NAMES), texts),
     "type": mostly(st.sampled_from(("affinity", "diversity", "exclusivity")))},
    optional={"level": mostly(st.sampled_from(("host", "rack", "cluster"))),
              "description": texts, "members": st.lists(texts, max_size=2)})
actions = st.fixed_dictionaries(
    {"action": mostly(st.sampled_from(("reserve", "replan"))),
     "locations": mostly(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))},
    optional={"resource_id": mostly(st.sampled_from(NAMES), numbers),
              "fallback_ids": names,
              "adhoc": st.fixed_dictionaries({"resource": heat_entries},
                                             optional={"name": texts, "project_id": texts})})
def bodies(document):
    """``document`` as JSON (NaN allowed), mostly; else none, any JSON, any
    bytes, or brackets deeper than the limit. A route that reads no body
    (``document`` None) mostly gets none."""
    def encoded(documents):
        return documents.map(lambda data: json.dumps(data, allow_nan=True).encode())
    hostile = st.one_of(st.none(), encoded(json_values), st.binary(max_size=40),
                        st.integers(60, 2000).map(lambda depth: b"[" * depth + b"]" * depth))
    return mostly(st.none() if document is None else encoded(document), hostile, odds=5)


segments = mostly(st.sampled_from(NAMES), st.one_of(
    texts.map(lambda text: urllib.parse.quote(text.encode("utf-8", "surrogatepass"),
                                              safe="")),
    st.binary(min_size=1, max_size=6).map(lambda raw: urllib.parse.quote(raw, safe=""))))
queries = st.one_of(st.just(""), st.lists(st.tuples(
    st.sampled_from(("name", "location", "reserved", "plan_id", "key")) | segments,
    segments), max_size=2).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)))
content_types = st.sampled_from(("application/json", "application/json; charset=utf-8",
                                 "application/json; charset=bogus", "text/plain",
                                 "application/x-www-form-urlencoded", None))


descriptions = st.fixed_dictionaries({"description": texts})
member_lists = st.fixed_dictionaries({"members": st.lists(texts, max_size=3)})


@st.composite
def requests(draw):
    """``(method, path, body, content type, headers)`` for one of the routes,
    with the body that route reads (any JSON where it reads none)."""
    first, second = draw(segments), draw(segments)
    # NOTE: the routes that read a body first: Hypothesis favours early ones.
    method, path, document = draw(st.sampled_from([
        ("POST", "/v1/plans", plan_bodies), ("POST", "/v1/groups", group_bodies),
        ("PUT", f"/v1/plans/{first}", changes), ("POST", f"/v1/placements/{first}", actions),
        ("PUT", f"/v1/groups/{first}", descriptions),
        ("PUT", f"/v1/groups/{first}/members", member_lists),
        ("GET", "/", None), ("GET", "/v1", None), ("GET", "/v1/status", None),
        ("HEAD", "/v1/status", None), ("GET", "/healthcheck", None), ("GET", "/v1/groups", None),
        ("GET", f"/v1/groups/{first}", None), ("DELETE", f"/v1/groups/{first}", None),
        ("DELETE", f"/v1/groups/{first}/members", None),
        ("GET", f"/v1/groups/{first}/members/{second}", None),
        ("DELETE", f"/v1/groups/{first}/members/{second}", None),
        ("GET", "/v1/plans", None), ("GET", f"/v1/plans/{first}", None),
        ("DELETE", f"/v1/plans/{first}", None), ("GET", "/v1/placements", None),
        ("GET", f"/v1/placements/{first}", None), ("DELETE", f"/v1/placements/{first}", None),
        ("GET", "/v1/resources", None), ("GET", "/v1/hosts", None),
        ("GET", f"/v1/hosts/{first}", None), ("PATCH", f"/v1/{first}", json_values),
        ("OPTIONS", f"/v1/plans/{first}", None), ("GET", f"/{first}/{second}", None)]))
    # NOTE: the envelope is hostile less often, so that bodies are read.
    query = draw(mostly(st.just(""), queries, odds=6))
    headers = draw(mostly(st.just({}), st.fixed_dictionaries(
        {"X-Project-Id": st.sampled_from(("p1", "p" * 256, "p\x00"))}), odds=6))
    return method, f"{path}?{query}" if query else path, draw(bodies(document)), \
        draw(mostly(st.just("application/json"), content_types, odds=6)), headers


def fuzz(examples):
    """The property, over ``examples`` requests against ``engine_api``, as
    a test method (``test_... = fuzz(200)`` in a test class)."""
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=requests())
    def no_5xx(self, engine_api, request):
        method, path, body, content_type, headers = request
        response = engine_api.request(path, method=method, body=body or b"",
                                      content_type=content_type, headers=headers,
                                      expect_errors=True)
        # NOTE: --hypothesis-show-statistics shows how far the examples got.
        event(f"{method} {response.status_int}")
        assert response.status_int < 500, (method, path, body, response.text)
        if response.status_int >= 400 and method != "HEAD":
            assert response.content_type == "application/json", response.text
            assert set(response.json) == ERROR_FIELDS, response.text
    return no_5xx
