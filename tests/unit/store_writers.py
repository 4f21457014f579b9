"""Writers in processes of their own, racing on one store: each loads, adds a
placement record, and saves, again on a fresh load after every Conflict —
what API workers and engines do against one database (DESIGN §6).

A module of its own (importing only the store) because every writer process
starts a new interpreter and imports it.
"""

import multiprocessing
import queue

from ostro.state.store import Conflict, Store

#: Seconds a writer may take before the race counts as hung.
TIMEOUT = 120


def record(name):
    """A placement outside any plan, as :func:`ostro.replica.records.dump` writes it."""
    return {"orch_id": name, "plan_id": None, "location": "r1-h1", "state": "active",
            "updated_at": 1700000000.125, "resource_id": None,
            "entry": {"type": "OS::Nova::Server", "name": name,
                      "properties": {"flavor": "small"}},
            "named_groups": []}


def name(writer, number):
    return f"writer{writer}-{number}"


def race(url, writers, saves):
    """Run ``writers`` processes of ``saves`` saves each; returns the number
    of conflicts they met.  Raises AssertionError if a writer failed."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(writers), context.Queue()
    processes = [context.Process(target=_write, args=(url, writer, saves, start, results))
                 for writer in range(writers)]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=TIMEOUT) for _ in processes]
    except queue.Empty:
        outcomes = [("hung", "a writer gave no answer")]
    finally:
        for process in processes:
            process.join(timeout=TIMEOUT)
            if process.is_alive():
                process.kill()
    failures = [detail for kind, detail in outcomes if kind != "conflicts"]
    assert not failures, failures
    return sum(detail for _, detail in outcomes)


def _write(url, writer, saves, start, results):
    store, conflicts = Store(url), 0
    try:
        start.wait(timeout=TIMEOUT)   # NOTE: so that the writers really overlap
        for number in range(saves):
            while True:
                data, generation = store.load()
                data["placements"].append(record(name(writer, number)))
                try:
                    store.save(data, generation)
                    break
                except Conflict:
                    conflicts += 1
        results.put(("conflicts", conflicts))
    except Exception as exc:   # NOTE: reported to the test, which fails with it
        results.put(("error", f"writer {writer}: {exc!r}"))
    finally:
        store.close()
