"""The engine's signals, queued from the first moment: what
:func:`ostro.daemon.service.serve` acts on.

Only the standard library here, so ``valet-engine`` can call :func:`catch`
before it imports oslo.service, oslo.messaging and OR-tools (seconds on a
busy machine), and a SIGTERM that arrives meanwhile is a clean stop rather
than the default death by signal.
"""

import queue
import signal

STOPPING = (signal.SIGTERM, signal.SIGINT)


def catch():
    """From now on SIGTERM, SIGINT and SIGHUP are queued, not acted on: the
    queue :func:`ostro.daemon.service.serve` reads.  Called first thing, so a stop asked for while
    the engine starts (the schema upgrade, the first load) is a clean exit."""
    signals = queue.SimpleQueue()     # NOTE: put() is safe in a signal handler

    def queue_signal(signum, frame):
        signals.put(signum)

    for signum in (*STOPPING, signal.SIGHUP):
        signal.signal(signum, queue_signal)
    return signals


def stop_requested(signals):
    """Whether SIGTERM or SIGINT is already queued (SIGHUPs before the start
    are dropped: the configuration is read fresh anyway)."""
    while not signals.empty():
        if signals.get() in STOPPING:
            return True
    return False
