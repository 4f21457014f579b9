"""Random sequences of every API operation, admin ones included, each
followed by a restart of the cache from the store (issue 11 §1).

After every step, with a fresh app over the same SQLite file (and the
inventory file as the step left it):
- the step itself answered 2xx or 4xx, never 5xx; deleting a plan that
  exists always works;
- every read route answers 200 (none refuses for one stale plan);
- what ``ostro.verify`` finds wrong with the placements (over an engine
  loaded from the store apart from the app), plus what no longer satisfies
  today's groups and flavors, is what ``/v1/resources`` reports;
- while the inventory never changed, nothing is reported at all (the
  engine never breaks a rule, and no admin change leaves a rule broken).
"""

import contextlib
import copy
import pathlib
import tempfile

import hypothesis
import yaml
from hypothesis import strategies as st

from ostro.config import EngineSettings
from ostro.inventory import file as inventory_file
from ostro.replica import records
from ostro.state import migrate
from ostro.state.store import Store
from ostro.views import live
from tests.api import engine_cases
from tests.api.api_cases import call
from tests.api.engine_cases import INVENTORY

PROJECTS = ("proj-a", "proj-b")
GROUPS = ("g1", "g2")
STACKS = ("s1", "s2")
KINDS = ("affinity", "diversity", "exclusivity")
FLAVORS = ("small", "half")


def _without_host(inventory):
    inventory["hosts"] = [h for h in inventory["hosts"] if h["name"] != "r1-h1"]


def _without_flavor(inventory):
    del inventory["flavors"]["half"]


def _smaller_host(inventory):
    inventory["hosts"][-1]["vcpus"] = 1


#: The data centres an operator may switch between (rewriting the file).
INVENTORIES = {"full": lambda inventory: None, "no-host": _without_host,
               "no-flavor": _without_flavor, "smaller": _smaller_host}

servers = st.lists(st.tuples(st.sampled_from(FLAVORS),
                             st.lists(st.sampled_from(GROUPS), max_size=1)),
                   min_size=1, max_size=2)
projects = st.sampled_from(PROJECTS)
plan_create = st.tuples(st.just("plan_create"), st.sampled_from(STACKS), projects, servers)
# NOTE: plans are drawn twice as often as anything else, so that most
# admin changes meet a plan they could wedge.
operations = st.one_of(
    plan_create, plan_create,
    st.tuples(st.just("group_create"), st.sampled_from(GROUPS), st.sampled_from(KINDS),
              st.sampled_from(("host", "rack")), st.lists(projects, max_size=1)),
    st.tuples(st.just("group_delete"), st.sampled_from(GROUPS)),
    st.tuples(st.just("member_add"), st.sampled_from(GROUPS), projects),
    st.tuples(st.just("member_remove"), st.sampled_from(GROUPS), projects),
    st.tuples(st.just("members_clear"), st.sampled_from(GROUPS)),
    st.tuples(st.just("plan_update"), st.sampled_from(STACKS), servers),
    st.tuples(st.just("plan_migrate"), st.sampled_from(STACKS), st.integers(0, 1)),
    st.tuples(st.just("plan_delete"), st.sampled_from(STACKS)),
    st.tuples(st.just("reserve"), st.sampled_from(STACKS), st.integers(0, 1),
              st.sampled_from(engine_cases.HOSTS)),
    st.tuples(st.just("release"), st.sampled_from(STACKS), st.integers(0, 1)),
    st.tuples(st.just("inventory"), st.sampled_from(sorted(INVENTORIES))),
)


def resources(stack_id, wanted):
    """A stack's Heat resources: one server per ``(flavor, named groups)``."""
    entries = {}
    for number, (flavor, groups) in enumerate(wanted):
        metadata = {"valet": {"groups": list(groups)}} if groups else {}
        entries[f"{stack_id}-{number}"] = {
            "type": "OS::Nova::Server", "name": f"{stack_id}-{number}",
            "properties": {"flavor": flavor, "metadata": metadata}}
    return entries


class Cloud:
    """One SQLite file and one inventory file; an app is made fresh for
    each request batch, as a restarted worker would be."""

    def __init__(self, directory):
        self.url = f"sqlite:///{directory}/valet.sqlite"
        self.path = pathlib.Path(directory) / "inventory.yaml"
        self.inventory = "full"
        self.changed = False
        self.project = {}       # stack id -> project of its plan
        self.write("full")
        migrate.upgrade(self.url)

    def write(self, name):
        inventory = copy.deepcopy(INVENTORY)
        INVENTORIES[name](inventory)
        self.path.write_text(yaml.safe_dump(inventory))
        self.changed |= name != self.inventory
        self.inventory = name

    @contextlib.contextmanager
    def app(self):
        conf = engine_cases.engine_conf(self.url, self.path)
        conf.set_override("solver_time_budget", 0.0, "engine")
        with engine_cases.engine_api(self.url, self.path, upgrade=False, conf=conf) as api:
            yield api


def request(api, method, path, body=None, project=None):
    api.extra_environ = {"HTTP_X_PROJECT_ID": project} if project else {}
    try:
        response = call(api, method, path, body)
    finally:
        api.extra_environ = {}
    assert response.status_int < 500, (method, path, response.text)
    return response


def run(cloud, api, operation):
    """One operation through the API."""
    kind, *args = operation
    if kind == "inventory":
        cloud.write(args[0])
    elif kind == "group_create":
        name, group_kind, level, members = args
        request(api, "POST", "/v1/groups", {"name": name, "type": group_kind, "level": level,
                                            "members": members})
    elif kind == "group_delete":
        request(api, "DELETE", f"/v1/groups/{args[0]}")
    elif kind == "member_add":
        request(api, "PUT", f"/v1/groups/{args[0]}/members", {"members": [args[1]]})
    elif kind == "member_remove":
        request(api, "DELETE", f"/v1/groups/{args[0]}/members/{args[1]}")
    elif kind == "members_clear":
        request(api, "DELETE", f"/v1/groups/{args[0]}/members")
    else:
        run_plan_operation(cloud, api, kind, args)


def run_plan_operation(cloud, api, kind, args):
    stack_id = args[0]
    project = cloud.project.get(stack_id)
    orch_id = f"{stack_id}-{args[1]}" if kind in ("plan_migrate", "reserve", "release") \
        else None
    if kind == "plan_create":
        body = {"stack_id": stack_id, "plan_name": stack_id,
                "resources": resources(stack_id, args[2])}
        if request(api, "POST", "/v1/plans", body, args[1]).status_int == 201:
            cloud.project.setdefault(stack_id, args[1])
    elif kind == "plan_update":
        request(api, "PUT", f"/v1/plans/{stack_id}",
                {"action": "update", "resources": resources(stack_id, args[1])}, project)
    elif kind == "plan_migrate":
        request(api, "PUT", f"/v1/plans/{stack_id}",
                {"action": "migrate", "resources": [orch_id]}, project)
    elif kind == "plan_delete":
        exists = request(api, "GET", f"/v1/plans/{stack_id}").status_int == 200
        deleted = request(api, "DELETE", f"/v1/plans/{stack_id}", project=project)
        assert deleted.status_int == (204 if exists else 404), deleted.text
        cloud.project.pop(stack_id, None)
    elif kind == "reserve":
        request(api, "POST", f"/v1/placements/{orch_id}",
                {"action": "reserve", "locations": [args[2]]})
    elif kind == "release":
        request(api, "DELETE", f"/v1/placements/{orch_id}")


def every_route_answers(api):
    paths = ["/v1/plans", "/v1/placements", "/v1/hosts", "/v1/resources", "/v1/groups",
             "/v1/status"]
    listed = {path: request(api, "GET", path) for path in paths}
    for path, response in listed.items():
        assert response.status_int == 200, (path, response.text)
    paths = [f"/v1/plans/{plan['id']}" for plan in listed["/v1/plans"].json["plans"]]
    paths += [f"/v1/placements/{p['id']}" for p in listed["/v1/placements"].json["placements"]]
    paths += [f"/v1/hosts/{host['name']}" for host in listed["/v1/hosts"].json["hosts"]]
    for path in paths:
        response = request(api, "GET", path)
        assert response.status_int == 200, (path, response.text)
    return listed


def judged_apart(cloud):
    """Names of the placed resources that break a rule or no longer satisfy
    today's groups and flavors, by an engine loaded from the store here."""
    store = Store(cloud.url)
    try:
        data, _ = store.load()
        datacenter = inventory_file.load(str(cloud.path))
        engine = records.load(datacenter, data, EngineSettings(), store.list_groups())
    finally:
        store.close()
    found, pipes = live.check(engine)
    names = {violation.resource for violation in found if violation.resource}
    for violation in found:
        names.update(end for pipe in pipes if pipe.name in violation.pipes
                     for end in pipe.ends)
    names.update(engine.placements[orch_id].name for orch_id in live.stale(engine))
    return names


@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(st.tuples(st.sampled_from(KINDS), st.sampled_from(KINDS)),
                  st.tuples(servers, servers), st.lists(operations, min_size=4, max_size=8))
def test_no_sequence_of_operations_wedges_the_store(kinds, stacks, steps):
    # NOTE: both groups exist (open) and each project has a plan at first,
    # so that admin changes meet plans they could wedge.
    first = [("group_create", name, kind, "host", [])
             for name, kind in zip(GROUPS, kinds, strict=True)]
    first += [("plan_create", stack_id, project, wanted)
              for stack_id, project, wanted in zip(STACKS, PROJECTS, stacks, strict=True)]
    with tempfile.TemporaryDirectory() as directory:
        cloud = Cloud(directory)
        for operation in first + steps:
            with cloud.app() as api:
                run(cloud, api, operation)
            with cloud.app() as restarted:
                listed = every_route_answers(restarted)
                reported = listed["/v1/resources"].json["resources"]
                names = {p["name"] for p in listed["/v1/placements"].json["placements"]
                         if (p["resource_id"] or p["orchestration_id"]) in reported}
                assert names == judged_apart(cloud), (operation, reported)
                if not cloud.changed:
                    assert reported == {}, (operation, reported)
