"""API load: latency of plan create and placement reserve under concurrent
clients, against a real ``valet-api`` (4 gunicorn workers) on a real
PostgreSQL server (DESIGN §4, §6).

Each client is a thread in a closed loop over its own HTTP connection
(``http.client``): create a plan of 1-3 small servers (half of them with a
diversity(host) group over two), reserve each placement on its planned host
as Nova's filter does, delete the plan.  Deleting keeps the 64-host data
centre from filling, so every level measures the same steady state.  The
first seconds of each level are a warm-up and not counted; every answer
that is not the expected 201/204 is counted by status, never retried.
"""

import collections
import http.client
import json
import random
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy
import yaml

from benchmarks import common
from ostro.inventory import generated
from ostro.state import migrate
from tests.support.live_server import free_port, start_server, stop, wait_until_up, write_conf
from tests.support.postgres_server import PostgresServer

WORKERS = 4
LEVELS = (1, 16, 64)
QUICK_LEVELS = (1, 4)
OPERATIONS = ("plan_create", "reserve", "plan_delete")
EXPECTED = {"plan_create": 201, "reserve": 201, "plan_delete": 204}
TARGET_MS = 50.0          # reserve p99 at 64 clients


class Recorder:
    """Latencies and statuses of the requests started while measuring."""

    def __init__(self):
        self.lock = threading.Lock()
        self.measuring = False
        self.latencies = collections.defaultdict(list)     # operation -> seconds (expected status)
        self.statuses = collections.defaultdict(collections.Counter)

    def add(self, operation, status, seconds):
        with self.lock:
            self.statuses[operation][status] += 1
            if status == EXPECTED[operation]:
                self.latencies[operation].append(seconds)


class Client(threading.Thread):
    """One closed-loop client: plan, reserve every server, delete."""

    def __init__(self, port, seed, recorder, done):
        super().__init__(daemon=True)
        self.port, self.rng = port, random.Random(seed)
        self.recorder, self.done = recorder, done
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, operation, method, path, body=None):
        """``(status, decoded body)``; the status is "connection" when the
        server dropped the connection.  Recorded if measuring at its start."""
        measured = self.recorder.measuring
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=json.dumps(body) if body else None,
                                    headers={"Content-Type": "application/json"})
            response = self.connection.getresponse()
            raw = response.read()
            status, answer = response.status, json.loads(raw) if raw else None
        except (OSError, http.client.HTTPException, ValueError):
            # NOTE: a new connection next time; the failure still counts.
            self.connection.close()
            status, answer = "connection", None
        if measured:
            self.recorder.add(operation, status, time.perf_counter() - started)
        return status, answer

    def run(self):
        try:
            while not self.done.is_set():
                self.cycle()
        finally:
            self.connection.close()

    def cycle(self):
        stack_id = f"load-{uuid.uuid4().hex[:12]}"
        status, answer = self.request("plan_create", "POST", "/v1/plans",
                                      {"stack_id": stack_id, "resources": stack(self.rng)})
        if status != 201:
            return
        plan = answer["plan"]
        for orch_id, placement in plan["placements"].items():
            self.request("reserve", "POST", f"/v1/placements/{orch_id}",
                         {"action": "reserve", "locations": [placement["location"]],
                          "resource_id": f"nova-{orch_id}"})
        self.request("plan_delete", "DELETE", f"/v1/plans/{plan['id']}")


def stack(rng):
    """Heat resources of 1-3 servers; half the time diversity(host) over two."""
    names = [f"srv-{uuid.uuid4().hex[:12]}" for _ in range(rng.randint(1, 3))]
    resources = {name: {"type": "OS::Nova::Server", "name": name,
                        "properties": {"flavor": rng.choice(["m1.small", "m1.medium"])}}
                 for name in names}
    if len(names) >= 2 and rng.random() < 0.5:
        resources[f"grp-{uuid.uuid4().hex[:12]}"] = {
            "type": "OS::Valet::GroupAssignment", "name": "apart",
            "properties": {"group_type": "diversity", "level": "host",
                           "resources": names[:2]}}
    return resources


def rollbacks(admin):
    """Rolled-back transactions so far: on this store, a save that found the
    generation moved (a Conflict, retried on a fresh snapshot)."""
    with admin.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = 'postgres'").scalar()


def level(port, clients, warmup, duration, admin):
    """Run ``clients`` clients; measure ``duration`` seconds after ``warmup``."""
    recorder, done = Recorder(), threading.Event()
    threads = [Client(port, seed, recorder, done) for seed in range(clients)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(warmup)
        before = rollbacks(admin)
        recorder.measuring = True
        time.sleep(duration)
        recorder.measuring = False
        conflicts = rollbacks(admin) - before
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=120)
    return summary(clients, duration, recorder, conflicts)


def summary(clients, duration, recorder, conflicts):
    result = {"clients": clients, "seconds": duration, "store_conflicts": conflicts}
    for operation in OPERATIONS:
        times = recorder.latencies[operation]
        statuses = recorder.statuses[operation]
        result[operation] = {
            "ok": len(times), "per_second": len(times) / duration,
            "p50_ms": common.percentile(times, 50) * 1000,
            "p99_ms": common.percentile(times, 99) * 1000,
            "max_ms": max(times, default=float("nan")) * 1000,
            "failures": {str(status): count for status, count in sorted(
                statuses.items(), key=str) if status != EXPECTED[operation]},
        }
    return result


def write_config(directory, port, url):
    inventory = directory / "inventory.yaml"
    # 2 clusters x 4 racks x 8 hosts, the shape of etc/valet/inventory.yaml.
    inventory.write_text(yaml.safe_dump(generated.generate_dict(seed=7)))
    return write_conf(directory, port, inventory, api={"workers": WORKERS},
                      database={"connection": url})


def run_levels(levels, warmup, duration, on_server=None):
    """Start PostgreSQL and valet-api, run each level, stop both.
    ``on_server(process)`` is called with valet-api running (profiling)."""
    database, directory = PostgresServer(), Path(tempfile.mkdtemp(prefix="valet-load-"))
    process = log = admin = None
    try:
        database.start()
        url = database.url()
        migrate.upgrade(url)
        admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
        port = free_port()
        process, log = start_server(directory, write_config(directory, port, url))
        wait_until_up(f"http://127.0.0.1:{port}", process, timeout=60.0)
        if on_server is not None:
            on_server(process)
        return [level(port, clients, warmup, duration, admin) for clients in levels]
    finally:
        if process is not None:
            stop(process, log)
        if admin is not None:
            admin.dispose()
        database.stop()
        shutil.rmtree(directory, ignore_errors=True)


def main(output, quick=False):
    if quick:
        results = {"levels": run_levels(QUICK_LEVELS, warmup=1.0, duration=3.0)}
        common.write_json(output, "api_load-quick", results)
        print_table(results["levels"])
        return results
    results = {"workers": WORKERS, "levels": run_levels(LEVELS, warmup=5.0, duration=30.0)}
    at_top = results["levels"][-1]["reserve"]["p99_ms"]
    results["targets"] = {"reserve p99 <= 50 ms at 64 clients": common.verdict(at_top <= TARGET_MS)}
    print_table(results["levels"])
    print("api_load targets:", results["targets"])
    common.write_json(output, "api_load", results)
    common.plot(output, "api_load", lambda axes: draw(axes, results["levels"]))
    return results


def print_table(levels):
    print("clients | operation   | ok/s  | p50 ms | p99 ms | max ms | failures | conflicts")
    for result in levels:
        for operation in OPERATIONS:
            figures = result[operation]
            print(f"{result['clients']:7d} | {operation:11s} | {figures['per_second']:5.1f} | "
                  f"{figures['p50_ms']:6.1f} | {figures['p99_ms']:6.1f} | "
                  f"{figures['max_ms']:6.1f} | {figures['failures'] or '-'} | "
                  f"{result['store_conflicts']}", flush=True)


def draw(axes, levels):
    clients = [result["clients"] for result in levels]
    for operation in ("plan_create", "reserve"):
        for share, style in (("p50_ms", "-o"), ("p99_ms", "--o")):
            axes.plot(clients, [result[operation][share] for result in levels], style,
                      label=f"{operation} {share[:3]}")
    axes.axhline(TARGET_MS, color="grey", linewidth=0.8, label="reserve p99 target")
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("concurrent clients")
    axes.set_ylabel("latency (ms)")
    axes.set_title(f"valet-api, {WORKERS} workers, PostgreSQL")
    axes.legend(fontsize=8)
