"""Periodic jobs on futurist, and the leader's background work: periodic
jobs and the notification listener, started when this engine is elected and
stopped (in-flight work finished) when it is not the leader any more or
shuts down."""

import concurrent.futures
import logging
import threading

from futurist import periodics

LOG = logging.getLogger(__name__)


class Job:
    """``run()`` now and then every ``interval`` seconds (one of :class:`Periodic`'s)."""

    def __init__(self, name, interval, run):
        self.name, self.interval, self.run = name, interval, run


class Periodic:
    """``jobs`` (:class:`Job`) on a :class:`futurist.periodics.PeriodicWorker`
    of their own, each job in a thread of its own, so a slow job (a Nova
    sync) delays no other (expiry, a heartbeat).

    A job runs at once, then ``interval`` seconds after each run started
    (a run that takes longer is followed at once, never overlapped).  One
    that raises is logged and runs again at its next time.  ``stop()``
    starts no new run and returns when the runs in progress have finished;
    ``start()`` after it starts afresh.
    """

    def __init__(self, name, jobs):
        self.name, self.jobs = name, list(jobs)
        self._worker = self._thread = None

    def start(self):
        callables = [(_periodic(job), (), {}) for job in self.jobs]
        # NOTE: a new worker each start: leadership comes and goes, and a
        # fresh worker is simpler to reason about than reset() on a used one.
        # Its executor's shutdown (when start() returns) waits for the runs
        # in progress: that is what makes stop() finish them.  The standard
        # library's pool, whose idle threads end at shutdown at once
        # (futurist's poll their queue once a second).
        self._worker = periodics.PeriodicWorker(
            callables, executor_factory=lambda: concurrent.futures.ThreadPoolExecutor(
                len(callables), thread_name_prefix=self.name))
        self._thread = threading.Thread(target=self._worker.start, name=self.name,
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stop after the runs in progress, if any."""
        if self._worker is None:
            return
        self._worker.stop()
        self._thread.join()
        self._worker = self._thread = None


def _periodic(job):
    # NOTE: a closure per job, since futurist reads the spacing from the
    # callable itself.
    @periodics.periodic(job.interval, run_immediately=True)
    def run():
        try:
            job.run()
        except Exception:  # noqa: BLE001 - one failed run must not end the job
            LOG.exception("%s failed; trying again in %g s", job.name, job.interval)

    run.__name__ = run.__qualname__ = job.name
    return run


class Background:
    """What only the leader runs: ``workers`` (objects with start and stop)."""

    def __init__(self, workers):
        self.workers = list(workers)
        self._lock = threading.Lock()
        self.running = False

    def start(self):
        with self._lock:
            for worker in self.workers:
                worker.start()
            self.running = True
            LOG.info("background work started: %s", ", ".join(_names(self.workers)))

    def stop(self):
        with self._lock:
            if not self.running:
                return
            for worker in reversed(self.workers):
                worker.stop()
            self.running = False
            LOG.info("background work stopped")


def _names(workers):
    return [getattr(worker, "name", type(worker).__name__) for worker in workers]
