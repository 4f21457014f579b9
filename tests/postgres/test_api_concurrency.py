"""Several ``valet-api`` worker processes on one PostgreSQL database, under
concurrent clients: no host goes over capacity, no rule is broken, and plan
creation is idempotent by stack_id (DESIGN §6: the engine is a cache of the
store, commits are serialized and each one sees every earlier one).

The real console script runs with 4 gunicorn workers on a small data centre
(6 hosts of 8 vCPUs), so capacity runs out and some plans are refused; 32
client threads create, re-send, reserve and delete plans.  The final state
in the store is then judged by :func:`ostro.verify.check` and by adding up
each host's placements.  No request may fail for contention (no 503).
"""

import collections
import concurrent.futures
import random
import threading
import uuid

import pytest

from ostro.inventory import file as inventory_file
from ostro.replica import records
from ostro.state.store import Store
from ostro.views import live
from tests.support.live_server import call, free_port, start_server, stop, wait_until_up, write_conf

CLIENTS = 32
OPERATIONS = 320          # requests in all, shared by the clients
SHARED_STACKS = 8         # stack ids every client may send; never deleted
# NOTE: no 503: commits are serialized, so contention makes writers wait,
# never fail (ostro/replica/cache.py).
LEGITIMATE = {200, 201, 204, 404, 409}

INVENTORY = """\
datacenter: tiny
defaults: {cpu_allocation_ratio: 1.0, ram_allocation_ratio: 1.0, disk_allocation_ratio: 1.0}
flavors:
  small: {id: "1", vcpus: 1, ram: 1024, disk: 10}
  medium: {id: "2", vcpus: 2, ram: 2048, disk: 20}
clusters:
  c1: {}
racks:
  r1: {cluster: c1}
  r2: {cluster: c1}
hosts:
""" + "".join(
    f"  - {{name: r{rack}h{host}, rack: r{rack}, vcpus: 8, memory_mb: 16384, disk_gb: 200}}\n"
    for rack in (1, 2) for host in (1, 2, 3))


def make_stack(rng):
    """Heat resources of 1-3 servers; sometimes diversity(host) over two.
    Returns (resources, the diverse pair or None)."""
    ids = [f"srv-{uuid.uuid4().hex[:12]}" for _ in range(rng.randint(1, 3))]
    resources = {orch_id: {"type": "OS::Nova::Server", "name": orch_id,
                           "properties": {"flavor": rng.choice(["small", "medium"])}}
                 for orch_id in ids}
    pair = None
    if len(ids) >= 2 and rng.random() < 0.5:
        pair = tuple(ids[:2])
        resources[f"grp-{uuid.uuid4().hex[:12]}"] = {
            "type": "OS::Valet::GroupAssignment", "name": "apart",
            "properties": {"group_type": "diversity", "level": "host",
                           "resources": list(pair)}}
    return resources, pair


class Clients:
    """The clients' shared books: a budget of operations and what they saw."""

    def __init__(self, base, seed):
        self.base = base
        self.lock = threading.Lock()
        self.budget = OPERATIONS
        self.statuses = collections.Counter()
        self.failures = []                    # unexpected answers
        self.ids_seen = collections.defaultdict(set)   # stack_id -> plan ids (201s)
        rng = random.Random(seed)
        self.shared = {f"shared-{n}": make_stack(rng) for n in range(SHARED_STACKS)}

    def request(self, method, path, body=None):
        """One request, counted against the budget; None when it is spent."""
        with self.lock:
            if self.budget <= 0:
                return None
            self.budget -= 1
        status, answer = call(self.base, method, path, body)
        with self.lock:
            self.statuses[status] += 1
            if status not in LEGITIMATE:
                self.failures.append(f"{method} {path}: {status} {answer}")
        return status, answer

    def create(self, stack_id, resources):
        done = self.request("POST", "/v1/plans",
                            {"plan_name": stack_id, "stack_id": stack_id,
                             "resources": resources})
        if done is None:
            return None
        status, answer = done
        if status != 201:
            return status, None
        plan = answer["plan"]
        with self.lock:
            self.ids_seen[stack_id].add(plan["id"])
        if plan["stack_id"] != stack_id:
            self.failures.append(f"plan {plan['id']} for {stack_id} says {plan['stack_id']}")
        return status, plan

    def client(self, seed):
        rng = random.Random(seed)
        while True:
            if rng.random() < 0.25:
                stack_id = rng.choice(sorted(self.shared))
                resources, _ = self.shared[stack_id]
                owned = False
            else:
                stack_id = f"stack-{uuid.uuid4().hex[:12]}"
                resources, _ = make_stack(rng)
                owned = True
            done = self.create(stack_id, resources)
            if done is None:
                return
            status, plan = done
            if plan is None:
                continue
            # The same stack again: the same plan, no second reservation.
            if (owned and rng.random() < 0.3
                    and self.create(stack_id, resources) is None):
                return
            for orch_id, placement in plan["placements"].items():
                if rng.random() < 0.5:
                    done = self.request("POST", f"/v1/placements/{orch_id}",
                                        {"action": "reserve",
                                         "locations": [placement["location"]],
                                         "resource_id": f"nova-{orch_id}"})
                    if done is None:
                        return
            if (owned and rng.random() < 0.65
                    and self.request("DELETE", f"/v1/plans/{plan['id']}") is None):
                return


def start(tmp_path, url):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    port = free_port()
    conf = write_conf(tmp_path, port, inventory, api={"workers": 4},
                      database={"connection": url}, engine={"solver_time_budget": 0.2})
    process, log = start_server(tmp_path, conf)
    return process, log, f"http://127.0.0.1:{port}", inventory


def test_four_workers_keep_capacity_rules_and_idempotency(tmp_path, empty_url):
    process, log, base, inventory = start(tmp_path, empty_url)
    clients = Clients(base, seed=1)
    try:
        status, _ = wait_until_up(base, process, timeout=30.0)
        assert status == 200
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            for future in [pool.submit(clients.client, n) for n in range(CLIENTS)]:
                future.result()
    finally:
        returncode = stop(process, log)
    server_log = (tmp_path / "valet-api.log").read_text(errors="replace")
    print("statuses:", dict(sorted(clients.statuses.items())))
    assert returncode == 0, server_log[-5000:]
    assert not clients.failures, "\n".join(clients.failures[:20]) + "\n" + server_log[-5000:]
    assert 500 not in clients.statuses
    # The data centre filled up, and plans were placed too.
    assert clients.statuses[409] > 0, clients.statuses
    assert clients.statuses[201] > 0, clients.statuses

    datacenter = inventory_file.load(str(inventory))
    store = Store(empty_url)
    try:
        data, _ = store.load()
    finally:
        store.close()
    engine = records.load(datacenter, data)
    placements = list(engine.placements.values())
    assert placements, "nothing was left placed"

    # (a) No rule broken: the independent checker, with group rules and
    # pipes rebuilt from the plans as /v1/resources does.
    found, _ = live.check(engine)
    assert found == [], [str(v) for v in found]
    # ... and each diverse pair the clients asked for is on two hosts.
    for plan in engine.plans.values():
        for entry in plan.resources.values():
            if entry["type"] == "OS::Valet::GroupAssignment":
                first, second = entry["properties"]["resources"]
                assert (engine.placements[first].location
                        != engine.placements[second].location), plan.id

    # (b) Every host's usage is its base load plus its live placements,
    # within its capacity.
    demand_on = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for placement in placements:
        for dim in range(3):
            demand_on[placement.location][dim] += placement.resource.demand[dim]
    compiled = engine.compiled
    for name, host in datacenter.hosts.items():
        index = compiled.index[name]
        capacity = datacenter.capacity(host, engine.settings)
        used = compiled.capacity[index, :3] - engine.state.headroom[index, :3]
        for dim, dimension in enumerate(("vcpus", "memory_mb", "disk_gb")):
            expected = host.used.get(dimension, 0) + demand_on[name][dim]
            assert used[dim] == pytest.approx(expected), (name, dimension)
            assert expected <= capacity[dim] + 1e-6, (name, dimension, expected)

    # (c) One plan per stack_id in the store, and every client that created
    # a shared stack saw the same plan id (shared stacks are never deleted).
    by_stack = collections.Counter(plan["stack_id"] for plan in data["plans"])
    duplicated = {stack_id: count for stack_id, count in by_stack.items() if count > 1}
    assert not duplicated
    stored = {plan["stack_id"]: plan["id"] for plan in data["plans"]}
    for stack_id in clients.shared:
        seen = clients.ids_seen.get(stack_id, set())
        assert len(seen) <= 1, (stack_id, seen)
        if seen:
            assert stored.get(stack_id) in seen, (stack_id, seen, stored.get(stack_id))
    for stack_id, seen in clients.ids_seen.items():
        # A client's own stack is sent twice at most, before its deletion.
        assert len(seen) == 1, (stack_id, seen)
        if stack_id in stored:
            assert stored[stack_id] in seen
    # Each live placement belongs to a stored plan, and no orch id twice.
    plan_ids = {plan["id"] for plan in data["plans"]}
    orch_ids = [record["orch_id"] for record in data["placements"]]
    assert len(orch_ids) == len(set(orch_ids))
    assert all(record["plan_id"] in plan_ids for record in data["placements"])
