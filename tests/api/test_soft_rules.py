"""Soft groups over the API: a plan that cannot keep one is made, and says
which it left unmet (``unmet_soft_rules``); ``/v1/resources`` reports no
violation for it, since nothing was promised."""

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, group, plan_body, servers
from tests.api.rpc_cases import both_modes


def soft(name, kind, level, members):
    orch, entry = group(name, kind, level, members)
    entry["properties"]["enforcement"] = "soft"
    return orch, entry


CROWD = [f"s{i}" for i in range(1, len(HOSTS) + 2)]     # one more than the hosts


@both_modes
def test_a_soft_group_that_cannot_hold_is_planned_and_named(engine_api):
    hard = plan_body("hard", *servers("s", len(CROWD)), group("apart", "diversity", "host", CROWD))
    assert_error(call(engine_api, "POST", "/v1/plans", hard), 409, "apart")
    body = plan_body("soft", *servers("s", len(CROWD)), soft("apart", "diversity", "host", CROWD))
    plan = call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]
    assert {p["location"] for p in plan["placements"].values()} == set(HOSTS)
    [unmet] = plan["unmet_soft_rules"]
    assert unmet["group"] == "apart" and unmet["rule"] == "diversity(host)"
    assert "2 in" in unmet["message"]
    shown = call(engine_api, "GET", "/v1/plans/soft", status=200).json["plan"]
    assert shown["unmet_soft_rules"] == plan["unmet_soft_rules"]
    assert call(engine_api, "GET", "/v1/resources", status=200).json["resources"] == {}


@both_modes
def test_a_soft_group_that_holds_lists_nothing_unmet(engine_api):
    body = plan_body("fits", *servers("s", 2), soft("apart", "diversity", "host", ["s1", "s2"]))
    plan = call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]
    assert plan["unmet_soft_rules"] == []
    assert len({p["location"] for p in plan["placements"].values()}) == 2
    trial = call(engine_api, "POST", "/v1/plans", {**plan_body(
        "trial", *servers("t", len(CROWD)),
        soft("spread", "diversity", "host", [f"t{i}" for i in range(1, len(CROWD) + 1)])),
        "dry_run": True}, status=200).json["plan"]
    assert [rule["group"] for rule in trial["unmet_soft_rules"]] == ["spread"]


@both_modes
def test_a_named_soft_group_over_the_api(engine_api):
    call(engine_api, "POST", "/v1/groups", {"name": "web", "type": "affinity", "level": "host",
                                            "enforcement": "soft"}, status=201)
    _, entry = servers("w", 1, "large")[0]
    resources = {f"orch-w{i}": {**entry, "name": f"w{i}",
                                "properties": {**entry["properties"],
                                               "metadata": {"valet": {"groups": ["web"]}}}}
                 for i in (1, 2)}
    plan = call(engine_api, "POST", "/v1/plans", {"stack_id": "named", "resources": resources},
                status=201).json["plan"]
    # Two whole-host servers cannot share a host: the soft affinity gives way.
    assert len({p["location"] for p in plan["placements"].values()}) == 2
    assert [rule["group"] for rule in plan["unmet_soft_rules"]] == ["web"]


def test_enforcement_in_a_template_is_checked(engine_api):
    orch, entry = group("g", "exclusivity", "host", ["s1"])
    entry["properties"]["enforcement"] = "soft"
    assert_error(call(engine_api, "POST", "/v1/plans",
                      plan_body("bad", *servers("s", 1), (orch, entry))), 400, "enforcement")
