"""Scale: what one write costs as live placements accumulate (issue 14).

A data centre of ``HOSTS`` hosts holds 1k ... ``LIVE`` placements (plans of
``PLAN_SIZE`` small servers, as a cloud's history leaves them), stored with
``Store.save``; then a fresh :class:`~ostro.replica.cache.Replica` loads
them (the time a new API worker or engine takes to start answering, and its
memory), and runs writes through the store the way the API does
(:class:`ostro.operations.Operations`): a one-server plan, a reserve by
Nova's instance id, a release.  The figure that matters is the ratio of a
write at the largest size to one at 1k: a write should not cost more
because the cloud is older.

SQLite always; PostgreSQL too when its server binaries are installed
(tests/support/postgres_server.py starts one on loopback): the same writes
at the smaller sizes, each twice side by side, with the store's pooled
connections pinged only when idle (the default) and at every checkout
(SQLAlchemy's ``pool_pre_ping``, what the store did before), so the ratio
says what the extra round trip cost.
"""

import gc
import statistics
import tempfile
import time
import uuid

import sqlalchemy

from benchmarks import common
from ostro.config import EngineSettings
from ostro.inventory import generated
from ostro.operations import Operations
from ostro.replica.cache import Replica
from ostro.state import migrate
from ostro.state.store import Store
from tests.support import postgres_server

HOSTS = 50_000
PLAN_SIZE = 10
SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_HOSTS, QUICK_SIZES = 2_000, (1_000, 5_000)
WRITES = 30
#: PostgreSQL: sizes (its bulk save of a million rows alone takes minutes).
PG_SIZES, QUICK_PG_SIZES = (1_000, 100_000), (1_000,)


def _datacenter(hosts):
    # 40 hosts a rack, 25 racks a cluster.
    return generated.generate(clusters=max(1, hosts // 1000), racks_per_cluster=25,
                              hosts_per_rack=40, seed=11, load=0.0)


def _history(datacenter, live):
    """Store records of ``live`` placements in plans of PLAN_SIZE servers,
    spread over the hosts; all active (Nova runs them), as a cloud's
    history leaves them."""
    hosts = list(datacenter.hosts)
    plans, placements, now = [], [], time.time()
    for number in range(live // PLAN_SIZE):
        plan_id = str(uuid.UUID(int=number))
        resources = {}
        for member in range(PLAN_SIZE):
            orch = f"{plan_id}-{member}"
            resources[orch] = {"type": "OS::Nova::Server", "name": f"s{member}",
                               "properties": {"flavor": "m1.small"}}
            placements.append({
                "orch_id": orch, "plan_id": plan_id,
                "location": hosts[(number * PLAN_SIZE + member) % len(hosts)],
                "state": "active", "updated_at": now, "resource_id": f"vm-{orch}",
                "entry": None, "named_groups": []})
        plans.append({"id": plan_id, "name": f"stack-{number}", "stack_id": f"stack-{number}",
                      "project_id": f"project-{number % 100}", "resources": resources,
                      "method": "heuristic"})
    return {"plans": plans, "placements": placements}


def _rss_mb():
    """This process's resident memory now (not its peak: the history this
    benchmark builds to store would hide the replica's own size)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(url, datacenter, live, writes=WRITES, always_ping=False, read_first=False):
    """Load time, peak RSS and per-write latencies at ``live`` placements;
    ``read_first``: every write reads the store before taking the lock, as
    before the cache was trusted for a first look (Replica.peek)."""
    migrate.upgrade(url)
    store = Store(url, always_ping=always_ping)
    try:
        data = _history(datacenter, live)
        _, save_seconds = common.timed(store.save, data, store.generation())
        del data
        gc.collect()
        settings = EngineSettings(solver_time_budget=0.05)
        replica = Replica(store, lambda: datacenter, settings)
        if read_first:
            replica.peek = lambda operation: None
        operations = Operations(replica)
        before = _rss_mb()
        _, load_seconds = common.timed(operations.status)
        gc.collect()
        rss = _rss_mb()
        times = {"plan": [], "reserve": [], "release": []}
        for number in range(writes):
            stack = f"new-{live}-{number}"
            resources = {f"{stack}-s": {"type": "OS::Nova::Server", "name": "s",
                                        "properties": {"flavor": "m1.small"}}}
            _, seconds = common.timed(operations.create_plan, resources, stack)
            times["plan"].append(seconds)
            # NOTE: by the instance id of an old placement: the lookup Nova's
            # filter makes (no orchestration id in its hints).
            old = f"vm-{uuid.UUID(int=number)}-0"
            _, seconds = common.timed(operations.reserve, old, [])
            times["reserve"].append(seconds)
            _, seconds = common.timed(operations.release, f"{stack}-s")
            times["release"].append(seconds)
        return {"live": live, "save_s": save_seconds, "load_s": load_seconds,
                "rss_mb": rss, "replica_mb": rss - before,
                **{f"{name}_p50_ms": statistics.median(values) * 1000
                   for name, values in times.items()},
                **{f"{name}_p99_ms": common.percentile(values, 99) * 1000
                   for name, values in times.items()}}
    finally:
        store.close()


def run_sqlite(hosts, sizes, writes=WRITES):
    datacenter = _datacenter(hosts)
    rows = []
    for live in sizes:
        with tempfile.TemporaryDirectory() as directory:
            row = measure(f"sqlite:///{directory}/valet.sqlite", datacenter, live, writes)
        rows.append(row)
        _print_row("sqlite", hosts, row)
    return rows


def run_postgres(hosts, sizes, writes=WRITES):
    """``{variant: rows}`` for the store as it is (``idle_ping``), pinging
    at every checkout (``always_ping``) and reading before every write
    (``read_first``); None without PostgreSQL."""
    try:
        server = postgres_server.PostgresServer().start()
    except postgres_server.ServerError as exc:
        print(f"postgresql: not measured ({exc})")
        return None
    datacenter = _datacenter(hosts)
    variants = {"idle_ping": {}, "always_ping": {"always_ping": True},
                "read_first": {"read_first": True}}
    rows = {name: [] for name in variants}
    try:
        admin = sqlalchemy.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        for live in sizes:
            for name, options in variants.items():
                database = f"scale_{live}_{name}"
                with admin.connect() as connection:
                    connection.exec_driver_sql(f"CREATE DATABASE {database}")
                row = measure(server.url(database), datacenter, live, writes, **options)
                rows[name].append(row)
                _print_row(f"pg {name}", hosts, row)
        admin.dispose()
    finally:
        server.stop()
    return rows


def _print_row(backend, hosts, row):
    print(f"{backend:16s} {hosts:6d} hosts {row['live']:8d} live | load {row['load_s']:7.2f} s "
          f"replica {row['replica_mb']:7.0f} MB | plan p50 {row['plan_p50_ms']:6.2f} ms "
          f"reserve p50 {row['reserve_p50_ms']:6.2f} ms release p50 "
          f"{row['release_p50_ms']:6.2f} ms", flush=True)


def ratios(rows):
    """Each write's p50 at the largest size over its p50 at the smallest."""
    first, last = rows[0], rows[-1]
    return {name: last[f"{name}_p50_ms"] / first[f"{name}_p50_ms"]
            for name in ("plan", "reserve", "release")}


def main(output, quick=False):
    hosts, sizes = (QUICK_HOSTS, QUICK_SIZES) if quick else (HOSTS, SIZES)
    rows = run_sqlite(hosts, sizes, writes=5 if quick else WRITES)
    results = {"hosts": hosts, "plan_size": PLAN_SIZE, "sqlite": rows,
               "sqlite_ratios": ratios(rows)}
    print("scale: p50 at", sizes[-1], "over p50 at", sizes[0], results["sqlite_ratios"])
    postgres = run_postgres(hosts, QUICK_PG_SIZES if quick else PG_SIZES,
                            writes=5 if quick else WRITES)
    if postgres is not None:
        results["postgresql"] = postgres
        results["postgresql_ratios"] = ratios(postgres["idle_ping"])
        results["ping_cost"] = {
            name: [always[f"{name}_p50_ms"] / idle[f"{name}_p50_ms"]
                   for idle, always in zip(postgres["idle_ping"], postgres["always_ping"],
                                           strict=True)]
            for name in ("plan", "reserve", "release")}
        results["read_first_cost"] = {
            name: [first[f"{name}_p50_ms"] / idle[f"{name}_p50_ms"]
                   for idle, first in zip(postgres["idle_ping"], postgres["read_first"],
                                          strict=True)]
            for name in ("plan", "reserve", "release")}
        print("postgresql: p50 ratios", results["postgresql_ratios"],
              "| p50 always-ping over idle-ping", results["ping_cost"],
              "| p50 read-first over as-is", results["read_first_cost"])
    common.write_json(output, "scale-quick" if quick else "scale", results)
    return results
