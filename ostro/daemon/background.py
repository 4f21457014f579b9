"""The leader's background work: periodic jobs and the notification listener,
started when this engine is elected and stopped (in-flight work finished)
when it is not the leader any more or shuts down."""

import logging
import threading

LOG = logging.getLogger(__name__)


class Periodic:
    """``job()`` now and then every ``interval`` seconds, in its own thread."""

    def __init__(self, name, interval, job):
        self.name, self.interval, self.job = name, interval, job
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self):
        """Stop after the run in progress, if any."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self):
        while not self._stopping.is_set():
            try:
                self.job()
            except Exception:  # noqa: BLE001 - one failed run must not end the job
                LOG.exception("%s failed; trying again in %g s", self.name, self.interval)
            self._stopping.wait(self.interval)


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
