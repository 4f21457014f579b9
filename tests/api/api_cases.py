"""The Valet API over a real database, through webtest.

:class:`GroupCases` holds the named-group tests; a test module subclasses it
and gives an ``empty_url`` fixture (a new, empty database for each test):
``tests/api/test_groups.py`` on SQLite files, ``tests/postgres`` on a real
PostgreSQL server (the pattern of ``tests/unit/store_cases.py``).
"""

import contextlib
import json

import pytest

from ostro.state import migrate
from tests.api import conformance
from valet_api import app as valet_app

GROUP_FIELDS = {"id", "name", "type", "level", "description", "members", "max_per_domain",
                "enforcement"}
ERROR_FIELDS = {"title", "explanation", "code", "error"}


@contextlib.contextmanager
def running_api(url, debug=False, upgrade=True):
    """A webtest client of the app over ``url`` (its schema created first)."""
    if upgrade:
        migrate.upgrade(url)
    conf = valet_app.default_conf(config_files=[])
    conf.set_override("connection", url, "database")
    conf.set_override("debug", debug)
    app = valet_app.setup_app(conf=conf)
    try:
        yield conformance.CheckedApp(app)
    finally:
        app.store.close()


def call(api, method, path, body=None, status=None):
    """One request; ``body`` is JSON data, or a str sent as it is."""
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    response = api.request(path, method=method, body=(body or "").encode(),
                           content_type="application/json" if body is not None else None,
                           expect_errors=True)
    if status is not None:
        assert response.status_int == status, response.text
    return response


#: What an error's ``error`` object may hold: the engine's refusals add the
#: rule, group, resource and hints; a limit its option's name.
ERROR_DETAILS = {"message", "type", "traceback", "rule", "group", "resource", "hints",
                 "limit"}


def assert_error(response, status, *words):
    """``response`` is the API's error body with ``status``, and its message
    holds ``words``."""
    assert response.status_int == status, response.text
    assert response.content_type == "application/json"
    body = response.json
    assert set(body) == ERROR_FIELDS and body["code"] == status
    assert {"message", "type"} <= set(body["error"]) <= ERROR_DETAILS
    for word in words:
        assert word in body["error"]["message"], body["error"]["message"]
    return body


def create(api, name="web", kind="diversity", level="host", **fields):
    body = {"name": name, "type": kind, "level": level, **fields}
    return call(api, "POST", "/v1/groups", body, status=201).json


class GroupCases:
    """``/v1/groups`` and below, route by route (DESIGN §4)."""

    @pytest.fixture
    def api(self, empty_url):
        with running_api(empty_url) as client:
            yield client

    # -- create, list, show -------------------------------------------------

    def test_create_returns_the_bare_group(self, api):
        group = create(api, "web.tier-1_~", "affinity", "rack", description="front",
                       members=["p1", "p2", "p1"])
        assert set(group) == GROUP_FIELDS and group["id"]
        assert {key: group[key] for key in GROUP_FIELDS - {"id"}} == {
            "name": "web.tier-1_~", "type": "affinity", "level": "rack",
            "description": "front", "members": ["p1", "p2"], "max_per_domain": 1,
            "enforcement": "hard"}

    def test_a_soft_group_says_so(self, api):
        group = create(api, "web", "diversity", "host", enforcement="soft")
        assert group["enforcement"] == "soft"
        shown = call(api, "GET", "/v1/groups/web", status=200).json["group"]
        assert shown["enforcement"] == "soft"

    @pytest.mark.parametrize("kind, value", [("exclusivity", "soft"), ("diversity", "loose"),
                                             ("affinity", 1), ("diversity", ["soft"]),
                                             ("affinity", {"soft": True})])
    def test_a_meaningless_enforcement_is_400_naming_it(self, api, kind, value):
        assert_error(call(api, "POST", "/v1/groups", {"name": "pool", "type": kind,
                                                      "level": "host", "enforcement": value}),
                     400, "enforcement")
        assert call(api, "GET", "/v1/groups", status=200).json == {"groups": []}

    def test_a_diversity_group_keeps_its_max_per_domain(self, api):
        group = create(api, "pool", "diversity", "rack", max_per_domain=3)
        assert group["max_per_domain"] == 3
        shown = call(api, "GET", "/v1/groups/pool", status=200).json["group"]
        assert shown["max_per_domain"] == 3

    @pytest.mark.parametrize("kind, limit", [("diversity", 0), ("diversity", -1),
                                             ("affinity", 2), ("exclusivity", 1),
                                             ("diversity", {"n": 2}), ("diversity", [2]),
                                             ("diversity", "2"), ("diversity", True)])
    def test_a_meaningless_max_per_domain_is_400_naming_it(self, api, kind, limit):
        assert_error(call(api, "POST", "/v1/groups", {"name": "pool", "type": kind,
                                                      "level": "host", "max_per_domain": limit}),
                     400, "max_per_domain")
        assert call(api, "GET", "/v1/groups", status=200).json == {"groups": []}

    def test_create_defaults_description_and_members(self, api):
        group = create(api, "db", "exclusivity", "cluster")
        assert group["description"] == "" and group["members"] == []

    def test_a_taken_name_is_409(self, api):
        create(api, "web")
        body = assert_error(call(api, "POST", "/v1/groups",
                                 {"name": "web", "type": "affinity", "level": "host"}),
                            409, "web")
        assert body["error"]["type"] == "Duplicate" and body["title"] == "Conflict"

    def test_list_holds_every_group(self, api):
        assert call(api, "GET", "/v1/groups", status=200).json == {"groups": []}
        made = [create(api, name) for name in ("b", "a")]
        listed = call(api, "GET", "/v1/groups", status=200).json
        assert set(listed) == {"groups"}
        assert sorted(listed["groups"], key=lambda g: g["name"]) == made[::-1]

    def test_show_by_id_or_name(self, api):
        group = create(api, "web")
        for key in (group["id"], "web"):
            assert call(api, "GET", f"/v1/groups/{key}", status=200).json == {"group": group}

    def test_unknown_group_is_404_on_every_route(self, api):
        for method, path, body in (
                ("GET", "/v1/groups/nope", None),
                ("PUT", "/v1/groups/nope", {"description": "x"}),
                ("DELETE", "/v1/groups/nope", None),
                ("PUT", "/v1/groups/nope/members", {"members": ["p"]}),
                ("DELETE", "/v1/groups/nope/members", None),
                ("GET", "/v1/groups/nope/members/p", None),
                ("DELETE", "/v1/groups/nope/members/p", None)):
            assert_error(call(api, method, path, body), 404, "nope")

    # -- change -------------------------------------------------------------

    def test_put_changes_the_description_only(self, api):
        group = create(api, "web", description="old")
        changed = call(api, "PUT", f"/v1/groups/{group['id']}",
                       {"description": "new", "name": "web", "type": "diversity"},
                       status=201).json
        assert changed == {**group, "description": "new"}
        assert call(api, "GET", "/v1/groups/web").json["group"]["description"] == "new"

    @pytest.mark.parametrize("field, value", [
        ("name", "other"), ("type", "affinity"), ("level", "rack"), ("max_per_domain", 2),
        ("enforcement", "soft")])
    def test_put_refuses_an_immutable_change(self, api, field, value):
        create(api, "web")
        assert_error(call(api, "PUT", "/v1/groups/web", {"description": "x", field: value}),
                     400, field)
        assert call(api, "GET", "/v1/groups/web").json["group"]["description"] == ""

    def test_put_accepts_the_current_max_per_domain(self, api):
        create(api, "pool", max_per_domain=2)
        changed = call(api, "PUT", "/v1/groups/pool", {"description": "x", "max_per_domain": 2},
                       status=201).json
        assert (changed["description"], changed["max_per_domain"]) == ("x", 2)

    # -- delete -------------------------------------------------------------

    def test_delete_removes_the_group(self, api):
        group = create(api, "web")
        response = call(api, "DELETE", f"/v1/groups/{group['id']}", status=204)
        assert response.body == b""
        assert_error(call(api, "GET", "/v1/groups/web"), 404)

    def test_delete_is_409_while_the_group_has_members(self, api):
        create(api, "web", members=["p1"])
        body = assert_error(call(api, "DELETE", "/v1/groups/web"), 409, "p1")
        assert body["error"]["type"] == "InUse"
        call(api, "DELETE", "/v1/groups/web/members", status=204)
        call(api, "DELETE", "/v1/groups/web", status=204)

    # -- members ------------------------------------------------------------

    def test_put_members_adds_to_the_members(self, api):
        group = create(api, "web", members=["p1"])
        added = call(api, "PUT", "/v1/groups/web/members", {"members": ["p2", "p1", "p3"]},
                     status=201).json
        assert added == {**group, "members": ["p1", "p2", "p3"]}

    def test_member_is_204_or_404(self, api):
        create(api, "web", members=["p1"])
        assert call(api, "GET", "/v1/groups/web/members/p1", status=204).body == b""
        assert_error(call(api, "GET", "/v1/groups/web/members/p2"), 404, "p2")

    def test_delete_one_member(self, api):
        create(api, "web", members=["p1", "p2"])
        call(api, "DELETE", "/v1/groups/web/members/p1", status=204)
        assert call(api, "GET", "/v1/groups/web").json["group"]["members"] == ["p2"]
        assert_error(call(api, "DELETE", "/v1/groups/web/members/p1"), 404, "p1")

    def test_delete_all_members(self, api):
        create(api, "web", members=["p1", "p2"])
        call(api, "DELETE", "/v1/groups/web/members", status=204)
        assert call(api, "GET", "/v1/groups/web").json["group"]["members"] == []

    # -- bad input ----------------------------------------------------------

    @pytest.mark.parametrize("body, field", [
        ({"name": "web tier", "type": "affinity", "level": "host"}, "name"),
        ({"name": "web/x", "type": "affinity", "level": "host"}, "name"),
        ({"name": "", "type": "affinity", "level": "host"}, "name"),
        ({"name": 5, "type": "affinity", "level": "host"}, "name"),
        ({"name": None, "type": "affinity", "level": "host"}, "name"),
        ({"type": "affinity", "level": "host"}, "name"),
        ({"name": "web", "type": "together", "level": "host"}, "type"),
        ({"name": "web", "level": "host"}, "type"),
        ({"name": "web", "type": "affinity", "level": "row"}, "level"),
        ({"name": "web", "type": "affinity"}, "level"),
        ({"name": "web", "type": "affinity", "level": "host", "members": "p1"}, "members"),
        ({"name": "web", "type": "affinity", "level": "host", "members": [1]}, "members"),
        ({"name": "web", "type": "affinity", "level": "host", "description": 3},
         "description"),
        ({"name": "web", "type": "affinity", "level": "host", "colour": "red"}, "colour"),
        ('{"name": "web", ', "JSON"),
        ("not json at all", "JSON"),
        ('["web", "affinity", "host"]', "object"),
        ("", "object"),
    ])
    def test_bad_create_bodies_are_400_naming_the_field(self, api, body, field):
        assert_error(call(api, "POST", "/v1/groups", body), 400, field)
        assert call(api, "GET", "/v1/groups").json == {"groups": []}

    @pytest.mark.parametrize("path, body, field", [
        ("/v1/groups/web", {}, "description"),
        ("/v1/groups/web", {"description": ["x"]}, "description"),
        ("/v1/groups/web", "{oops", "JSON"),
        ("/v1/groups/web/members", {}, "members"),
        ("/v1/groups/web/members", {"members": "p1"}, "members"),
        ("/v1/groups/web/members", {"members": {"p1": True}}, "members"),
        ("/v1/groups/web/members", {"members": [None]}, "members"),
        ("/v1/groups/web/members", "[]", "object"),
    ])
    def test_bad_change_bodies_are_400_naming_the_field(self, api, path, body, field):
        create(api, "web", members=["p0"])
        assert_error(call(api, "PUT", path, body), 400, field)
        group = call(api, "GET", "/v1/groups/web").json["group"]
        assert group["members"] == ["p0"] and group["description"] == ""
