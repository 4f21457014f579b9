"""``valet-engine`` as an oslo.service service, and the signals that drive it.

oslo.service's threading backend runs the engine in this process (its
in-process :class:`Launcher`, not the cotyledon one that forks a worker: a
fork would change the engine's pid on every SIGHUP and stop it at once on
SIGINT with status 1).  The signals are this module's:

* SIGTERM or SIGINT: a graceful stop, bounded by ``[engine]
  graceful_shutdown_timeout`` (past it: exit 1 at once); exit 0 otherwise;
* SIGHUP: ``mutate_config_files()`` (oslo.log's mutate hook applies
  ``[DEFAULT] debug``) and :meth:`EngineService.reset`, in place: leadership,
  the RPC server and the background work carry on.

The handlers (:mod:`ostro.daemon.signals`) only queue the signal;
:func:`serve` (the main thread) acts on it, so no work runs inside a signal
handler.
"""

import logging
import os
import signal
import threading

from oslo_service import service as oslo_service

from ostro.daemon import signals as signals_module

LOG = logging.getLogger(__name__)

#: What :func:`serve` is told when the service failed to start.
FAILED = "failed"
STOPPING = signals_module.STOPPING


class EngineService(oslo_service.ServiceBase):
    """The :class:`~ostro.daemon.runner.Daemon` ``daemon`` as an oslo.service
    service; ``on_failure()`` is called if it cannot start."""

    def __init__(self, daemon, on_failure):
        self.daemon, self.on_failure = daemon, on_failure
        self._stopped = threading.Event()

    def start(self):
        try:
            self.daemon.start()
        except Exception:
            LOG.exception("the engine could not start")
            self.on_failure()
            raise

    def stop(self):
        if not self._stopped.is_set():
            self.daemon.stop()
            self._stopped.set()

    def wait(self):
        self._stopped.wait()

    def reset(self):
        # NOTE: the options were mutated before this; the loops read their
        # intervals when they start, so only what oslo.log re-reads (debug)
        # and the options read at each use (graceful_shutdown_timeout) change.
        LOG.info("configuration reloaded (debug = %s)", self.daemon.conf.debug)


def serve(conf, daemon, signals):
    """Run ``daemon`` until SIGTERM or SIGINT (queued on ``signals`` by
    :func:`ostro.daemon.signals.catch`); the exit status."""
    launcher = oslo_service.Launcher(conf, restart_method="mutate")
    launcher.launch_service(EngineService(daemon, on_failure=lambda: signals.put(FAILED)))
    while True:
        received = signals.get()
        if received == signal.SIGHUP:
            LOG.info("SIGHUP: reloading the mutable options")
            try:
                launcher.restart()
            except Exception:  # noqa: BLE001 - a bad file must not end the engine
                LOG.exception("reloading the configuration failed; keeping the old")
            continue
        break
    if received == FAILED:
        launcher.stop()
        return 1
    timeout = conf.engine.graceful_shutdown_timeout
    LOG.info("%s: stopping gracefully (graceful_shutdown_timeout %s)",
             signal.Signals(received).name, f"{timeout} s" if timeout else "none")
    for signum in (*STOPPING, signal.SIGHUP):
        # NOTE: a second signal during the stop changes nothing.
        signal.signal(signum, signal.SIG_IGN)
    if timeout:
        watchdog = threading.Timer(timeout, _give_up, args=(timeout,))
        watchdog.daemon = True
        watchdog.start()
    launcher.stop()
    launcher.wait()
    return 0


def _give_up(timeout):
    LOG.error("graceful shutdown took longer than %s s: exiting now", timeout)
    logging.shutdown()
    os._exit(1)
