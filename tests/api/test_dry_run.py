""""Would it fit?": ``POST /v1/plans`` with ``dry_run`` (issue 13 §2), and
plans from a HOT ``template``, through the real app over a real SQLite file."""

import pathlib
import sqlite3

import pytest
import yaml

from tests.api.api_cases import assert_error, call
from tests.api.engine_cases import HOSTS, engine_api, group, plan_body, server, servers
from tests.api.rpc_cases import both_modes

TEMPLATE = """
heat_template_version: 2015-04-30
parameters:
  flavor: {type: string, default: small}
  image: {type: string}
resources:
  web-1:
    type: OS::Nova::Server
    properties: {flavor: {get_param: flavor}, image: {get_param: image}}
  web-2:
    type: OS::Nova::Server
    properties: {flavor: {get_param: flavor}, image: {get_param: image}}
  spread:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      resources: [{get_resource: web-1}, {get_resource: web-2}]
  network:
    type: OS::Neutron::Net
"""


def dump(url):
    """Every row of the SQLite database, as SQL text: what "byte for byte
    unchanged" means for a store."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return "\n".join(db.iterdump())


def dry(api, body, status=200):
    return call(api, "POST", "/v1/plans", {**body, "dry_run": True}, status=status)


def located(plan):
    return {orch: entry["location"] for orch, entry in plan["placements"].items()}


def by_name(plan):
    """Where each resource is, by its name (a template's orch ids are uuids)."""
    return {entry["name"]: entry["location"] for entry in plan["placements"].values()}


@both_modes
def test_a_dry_run_stores_nothing_and_answers_the_plan_made_next(engine_api, empty_url):
    body = plan_body("s1", *servers("web", 3, "half"),
                     group("spread", "diversity", "host", ["web1", "web2", "web3"]))
    call(engine_api, "POST", "/v1/plans", plan_body("s0", server("db", "large")), status=201)
    before = dump(empty_url)
    trial = dry(engine_api, body).json["plan"]
    assert dump(empty_url) == before
    assert trial["dry_run"] is True and trial["id"] is None and trial["stack_id"] == "s1"
    assert len(call(engine_api, "GET", "/v1/plans").json["plans"]) == 1
    real = call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]
    assert located(trial) == located(real)
    assert {entry["name"] for entry in trial["placements"].values()} == {"web1", "web2", "web3"}


def test_a_dry_run_says_where_each_server_would_be(engine_api):
    body = plan_body("s1", *servers("web", 2), group("spread", "diversity", "rack",
                                                     ["web1", "web2"]))
    placements = dry(engine_api, body).json["plan"]["placements"]
    assert {entry["rack"] for entry in placements.values()} == {"r1", "r2"}
    for entry in placements.values():
        assert entry["location"].startswith(entry["rack"] + "-")
        assert entry["cluster"] == "c1" and entry["availability_zone"] == "nova"
        assert entry["groups"] == ["spread"]


def test_a_dry_run_of_a_planned_stack_is_that_plan(engine_api, empty_url):
    real = call(engine_api, "POST", "/v1/plans", plan_body("s1", server("a")),
                status=201).json["plan"]
    before = dump(empty_url)
    trial = dry(engine_api, plan_body("s1", server("a"))).json["plan"]
    assert trial["id"] == real["id"] and located(trial) == located(real)
    assert dump(empty_url) == before


def test_a_dry_run_needs_no_stack_id(engine_api):
    trial = dry(engine_api, {"resources": dict([server("a")])}).json["plan"]
    assert trial["stack_id"] is None and located(trial)["orch-a"] in HOSTS


@both_modes
def test_a_refused_dry_run_names_the_rule_and_what_would_make_it_fit(engine_api, empty_url):
    before = dump(empty_url)
    body = plan_body("s1", *servers("web", 5),
                     group("spread", "diversity", "host", [f"web{n}" for n in range(1, 6)]))
    error = assert_error(dry(engine_api, body, 409), 409, "diversity(host)")["error"]
    assert error["rule"] == "diversity(host)" and error["group"] == "spread"
    assert error["hints"] == ["diversity(host) of group spread needs 5 hosts, only 4 have "
                              "room for its members (small)"]
    assert dump(empty_url) == before
    # The same refusal, and hints, without the dry run.
    real = assert_error(call(engine_api, "POST", "/v1/plans", body), 409)["error"]
    assert real["hints"] == error["hints"]


def test_an_affinity_too_big_for_any_rack_is_hinted(engine_api):
    body = plan_body("s1", *servers("big", 3, "large"),
                     group("together", "affinity", "rack", ["big1", "big2", "big3"]))
    hints = assert_error(dry(engine_api, body, 409), 409)["error"]["hints"]
    assert hints == ["affinity(rack) of group together needs one rack with room for 3 "
                     "servers (12 vcpus, 12288 memory_mb, 120 disk_gb); the roomiest of "
                     "the 2 racks they may use has 8 vcpus, 8192 memory_mb free"]


def test_a_member_with_room_nowhere_is_named(engine_api):
    volume = ("orch-data", {"type": "OS::Cinder::Volume", "name": "data",
                            "properties": {"size": 10}})
    body = plan_body("s1", server("db"), volume,
                     group("near", "affinity", "rack", ["db", "data"]))
    hints = assert_error(dry(engine_api, body, 409), 409)["error"]["hints"]
    # The test data centre has no storage backends at all.
    assert hints == ["affinity(rack) of group near: no rack has room for data"]


def test_a_full_data_centre_says_how_much_room_is_left(engine_api):
    call(engine_api, "POST", "/v1/plans", plan_body("full", *servers("x", 4, "large")),
         status=201)
    hints = assert_error(dry(engine_api, plan_body("s1", server("one")), 409),
                         409, "capacity")["error"]["hints"]
    assert hints == ["one needs 1 vcpus, 1024 memory_mb, 10 disk_gb; the roomiest eligible "
                     "host has 0 vcpus, 0 memory_mb free"]


def test_dry_run_must_be_a_boolean(engine_api):
    assert_error(call(engine_api, "POST", "/v1/plans",
                      {**plan_body("s1", server("a")), "dry_run": "yes"}), 400, "dry_run")


# -- templates ---------------------------------------------------------------

@both_modes
def test_a_template_is_planned_like_heat_would_send_it(engine_api):
    body = {"stack_id": "t1", "template": TEMPLATE, "parameters": {"image": "cirros"}}
    trial = dry(engine_api, body).json["plan"]
    where = by_name(trial)
    assert set(where) == {"web-1", "web-2"} and where["web-1"] != where["web-2"]
    real = call(engine_api, "POST", "/v1/plans", body, status=201).json["plan"]
    # The same stack id, the same orchestration ids.
    assert located(real) == located(trial)


def test_two_stacks_of_one_template_are_two_plans(engine_api):
    body = {"template": TEMPLATE, "parameters": {"image": "cirros"}}
    first = call(engine_api, "POST", "/v1/plans", {**body, "stack_id": "a"}, status=201)
    second = call(engine_api, "POST", "/v1/plans", {**body, "stack_id": "b"}, status=201)
    assert not set(first.json["plan"]["placements"]) & set(second.json["plan"]["placements"])
    assert set(by_name(dry(engine_api, body).json["plan"])) == {"web-1", "web-2"}


def test_template_parameters_come_from_the_request_then_the_environment(engine_api):
    environment = yaml.safe_dump({"parameters": {"flavor": "large", "image": "cirros"}})
    body = {"template": TEMPLATE, "environment": environment}
    assert len(set(by_name(dry(engine_api, body).json["plan"]).values())) == 2
    # Half of every host taken: the environment's large servers no longer fit,
    # the request's small ones do.
    halves = servers("x", 4, "half")
    apart = group("apart", "diversity", "host", [entry["name"] for _, entry in halves])
    call(engine_api, "POST", "/v1/plans", plan_body("halves", *halves, apart), status=201)
    assert_error(dry(engine_api, body, 409), 409)
    assert dry(engine_api, {**body, "parameters": {"flavor": "small"}}).status_int == 200


def test_a_resource_group_is_expanded(engine_api):
    template = {"heat_template_version": "2016-10-14", "resources": {"pool": {
        "type": "OS::Heat::ResourceGroup",
        "properties": {"count": 3, "resource_def": {
            "type": "OS::Nova::Server",
            "properties": {"flavor": "half", "name": "pool-%index%"}}}}}}
    where = by_name(dry(engine_api, {"template": template}).json["plan"])
    assert set(where) == {"pool.0", "pool.1", "pool.2"}


def test_a_group_of_a_resource_group_holds_its_members(engine_api):
    template = {"resources": {
        "pool": {"type": "OS::Heat::ResourceGroup",
                 "properties": {"count": 2, "resource_def": {
                     "type": "OS::Valet::Server", "properties": {"flavor": "large"}}}},
        "together": {"type": "OS::Valet::GroupAssignment",
                     "properties": {"group_type": "affinity", "level": "host",
                                    "resources": [{"get_resource": "pool"}]}}}}
    # Two whole-host servers cannot share a host: the group holds both.
    error = assert_error(dry(engine_api, {"template": template}, 409), 409)["error"]
    assert error["group"] == "together"


@pytest.mark.parametrize(("template", "extra", "words"), [
    ("resources: [1, 2]", {}, "resources must be a mapping"),
    ("a: *b", {}, "not YAML"),
    ("base: &b {x: 1}\nother: *b", {}, "aliases"),
    ("parameters: {p: {type: string}}\nresources: {}", {}, "parameter p has no value"),
    ("resources: {}", {"parameters": {"nope": 1}}, "no parameter(s) nope"),
    ("parameters: {n: {type: number}}\nresources: {}", {"parameters": {"n": "many"}},
     "parameter n: many is not a number"),
    ("resources: {g: {type: OS::Valet::GroupAssignment, properties: {resources: "
     "[{get_resource: ghost}]}}}", {}, "get_resource of unknown resource ghost"),
    ("resources: {s: {type: OS::Nova::Server, properties: {flavor: {get_param: f}}}}", {},
     "get_param of unknown parameter f"),
    ("resources: {p: {type: OS::Heat::ResourceGroup, properties: {count: 99999999, "
     "resource_def: {type: OS::Nova::Server}}}}", {}, "count 99999999 is over"),
    ("resources: {s: {type: OS::Nova::Server, properties: {flavor: .nan}}}", {},
     "not a number"),
    ("resources: {p: {type: OS::Heat::ResourceGroup, properties: [1]}}", {},
     "properties must be a mapping"),
])
def test_a_bad_template_is_a_4xx_naming_the_problem(engine_api, template, extra, words):
    response = dry(engine_api, {"template": template, **extra}, None)
    assert_error(response, 413 if "over" in words else 400, words)


def test_resources_and_template_exclude_each_other(engine_api):
    body = {"resources": {}, "template": "resources: {}", "dry_run": True}
    assert_error(call(engine_api, "POST", "/v1/plans", body), 400, "exclude each other")
    assert_error(call(engine_api, "POST", "/v1/plans",
                      {"resources": {}, "parameters": {}, "dry_run": True}), 400,
                 "goes with field template")


EXAMPLES = pathlib.Path(__file__).parents[2] / "etc" / "heat" / "examples"
SAMPLE_INVENTORY = pathlib.Path(__file__).parents[2] / "etc" / "valet" / "inventory.yaml"


@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_shipped_example_fits_the_sample_data_centre(empty_url, example):
    """What `valet plan create --template etc/heat/examples/... --dry-run`
    sends to `make run`'s server, answered by its data centre."""
    with engine_api(empty_url, SAMPLE_INVENTORY) as api:
        call(api, "POST", "/v1/groups", {"name": "web-ha", "type": "diversity",
                                         "level": "host"}, status=201)
        trial = dry(api, {"template": (EXAMPLES / example).read_text()}).json["plan"]
        servers_declared = [name for name, entry in yaml.safe_load(
            (EXAMPLES / example).read_text())["resources"].items()
            if entry["type"] in ("OS::Nova::Server", "OS::Cinder::Volume",
                                 "OS::Valet::Server", "OS::Valet::Volume")]
        assert sorted(by_name(trial)) == sorted(servers_declared)
        assert all(entry["location"] for entry in trial["placements"].values())
