"""Debian's headless Chromium as a process of the test's own, driven by
Playwright over the DevTools protocol.

The browser is started here (not by Playwright's ``launch``) so the test
knows its PID and stops it by that PID; Playwright only connects to it
(``connect_over_cdp``) and never downloads a browser of its own.
"""

import contextlib
import os
import signal
import subprocess
import time

CHROMIUM = "/usr/bin/chromium"

#: NOTE: the machine has no network but the package registries: without the
#: background-networking flags Chromium keeps trying Google's hosts; as root
#: it needs --no-sandbox.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio")


class NoBrowser(Exception):
    """Chromium exited, or did not open its DevTools port in time."""


def devtools_port(profile, process, timeout):
    """The port Chromium wrote to ``profile/DevToolsActivePort`` (it picks a
    free one for ``--remote-debugging-port=0``)."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NoBrowser(f"chromium exited with {process.returncode}")
        if marker.exists():
            lines = marker.read_text().splitlines()
            if lines and lines[0].isdigit():
                return int(lines[0])
        time.sleep(0.1)
    raise NoBrowser(f"chromium wrote no DevTools port within {timeout} s")


@contextlib.contextmanager
def running(directory, timeout=30.0):
    """``(pid, DevTools URL)`` of a Chromium with a new empty profile under
    ``directory``, until the block ends (then SIGTERM, SIGKILL if it stays)."""
    profile = directory / "chromium-profile"
    profile.mkdir()
    log = open(directory / "chromium.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", "about:blank"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        port = devtools_port(profile, process, timeout)
        yield process.pid, f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


def stop(process, timeout=10):
    """Ends Chromium's process group (its renderers and helpers share it:
    ``start_new_session``), by the browser's own PID."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        # NOTE: helpers that outlive the browser would keep the group alive.
        os.killpg(process.pid, signal.SIGKILL)
