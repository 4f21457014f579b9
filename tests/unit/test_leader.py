"""Leader election (ostro.daemon.leader) on tooz's file backend: one
leader at a time; when it stops, another takes over; work starts and stops
with leadership.  (Killing a leader process: tests/rabbitmq.)"""

import threading
import time

from ostro.daemon.background import Background, Job, Periodic
from ostro.daemon.leader import Leadership


def wait_until(condition, timeout=30.0):
    # NOTE: heartbeats are 0.05 s; the deadline only stops a hang.
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Counting:
    def __init__(self):
        self.elected = self.lost = 0

    def on_elected(self):
        self.elected += 1

    def on_lost(self):
        self.lost += 1


def test_one_leader_at_a_time_and_takeover(tmp_path):
    url = f"file://{tmp_path}/coordination"
    events = {name: Counting() for name in ("a", "b")}
    members = {name: Leadership(url, name, "leader", 0.05, events[name].on_elected,
                                events[name].on_lost) for name in ("a", "b")}
    members["a"].start()
    wait_until(lambda: members["a"].is_leader)
    members["b"].start()
    try:
        time.sleep(0.5)             # ten heartbeats: b must stay a follower
        assert not members["b"].is_leader
        members["a"].stop()
        assert (events["a"].elected, events["a"].lost) == (1, 1)
        wait_until(lambda: members["b"].is_leader)
        assert events["b"].elected == 1
    finally:
        members["b"].stop()
    assert events["b"].lost == 1


def test_background_work_runs_only_while_started():
    runs = []
    ran = threading.Event()

    def job():
        runs.append(1)
        ran.set()

    work = Background([Periodic("jobs", [Job("job", 0.01, job)])])
    work.start()
    ran.wait(30)
    work.stop()
    count = len(runs)
    time.sleep(0.1)
    assert count >= 1 and len(runs) == count      # nothing after stop()
    work.stop()                                   # stopping twice is harmless


def test_stop_finishes_the_run_in_progress_and_a_failed_run_is_retried():
    started, release = threading.Event(), threading.Event()
    finished, failures = [], []

    def slow():
        started.set()
        release.wait(30)
        finished.append(1)

    def failing():
        failures.append(1)
        raise RuntimeError("boom")

    work = Periodic("jobs", [Job("slow", 60, slow), Job("failing", 0.01, failing)])
    work.start()
    started.wait(30)
    wait_until(lambda: len(failures) >= 2)      # it went on after failing
    stopper = threading.Thread(target=work.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive() and not finished  # stop() waits for the run
    release.set()
    stopper.join(30)
    assert finished == [1]
