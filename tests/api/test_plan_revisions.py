"""A plan's revision (``ETag``) and conditional updates (``If-Match``): a
reader that merges into a plan and writes it back cannot undo the change
another writer made in between (the Heat hook's nested stacks, issue 12 §4)."""

import json

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import plan_body, server
from tests.api.rpc_cases import both_modes


def update(api, plan_id, resources, if_match=None, status=None):
    headers = {"If-Match": if_match} if if_match else {}
    response = api.request(f"/v1/plans/{plan_id}", method="PUT",
                           body=json.dumps({"action": "update", "resources": resources})
                           .encode(), content_type="application/json", headers=headers,
                           expect_errors=True)
    if status is not None:
        assert response.status_int == status, response.text
    return response


@both_modes
def test_every_answer_names_the_plans_revision(engine_api):
    created = call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")), status=201)
    shown = call(engine_api, "GET", "/v1/plans/s1", status=200)
    assert created.headers["ETag"] == shown.headers["ETag"]
    assert shown.headers["ETag"].startswith('"') and shown.headers["ETag"].endswith('"')
    updated = update(engine_api, "s1", dict([server("a"), server("b")]), status=201)
    assert updated.headers["ETag"] != shown.headers["ETag"]
    assert call(engine_api, "GET", "/v1/plans/s1").headers["ETag"] == updated.headers["ETag"]


@both_modes
def test_an_update_of_a_revision_no_longer_current_is_412_and_changes_nothing(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")), status=201)
    read = call(engine_api, "GET", "/v1/plans/s1").headers["ETag"]
    # Another writer adds b; the first one, still at its revision, would drop it.
    update(engine_api, "s1", dict([server("a"), server("b")]), if_match=read, status=201)
    stale = update(engine_api, "s1", dict([server("a"), server("c")]), if_match=read)
    assert_error(stale, 412, "changed since revision")
    assert stale.json["error"]["type"] == "Stale"
    names = {p["name"] for p in call(engine_api, "GET", "/v1/plans/s1").json["plan"][
        "placements"].values()}
    assert names == {"a", "b"}


def test_if_match_any_or_none_updates_unconditionally(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")), status=201)
    update(engine_api, "s1", dict([server("a"), server("b")]), if_match="*", status=201)
    update(engine_api, "s1", dict([server("b")]), status=201)
