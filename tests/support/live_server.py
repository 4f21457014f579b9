"""Running a real ``valet-api`` process and talking to it over HTTP, for
tests and benchmarks: a free port, its configuration file, start and stop,
one JSON request.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

VALET_API = os.path.join(os.path.dirname(sys.executable), "valet-api")


class NotServing(Exception):
    """The server exited, or did not answer in time; the message says which."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base, method, path, body=None, headers=None):
    """``(status, decoded JSON body or None)``; a non-JSON error body comes
    back as text so a test can show what the server said."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, raw.decode(errors="replace")


def wait_until_up(base, process, timeout):
    """The answer to ``GET /`` once the server gives one; raises if
    the process exits first or ``timeout`` seconds pass (:class:`NotServing`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NotServing(f"the server exited with {process.returncode} before answering")
        try:
            return call(base, "GET", "/")
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise NotServing(f"the server did not answer GET / within {timeout} s")


def write_conf(directory, port, inventory, **sections):
    """``directory/valet.conf`` for a valet-api on 127.0.0.1:``port``: noauth,
    one worker, SQLite under ``directory/state``, the engine in process,
    the file ``inventory``.  ``sections``: {group: {option: value}} added
    to (or overriding) those.  Returns its path."""
    groups = {
        "DEFAULT": {"state_path": directory / "state"},
        "api": {"host": "127.0.0.1", "port": port, "workers": 1, "auth_strategy": "noauth"},
        "database": {"connection": f"sqlite:///{directory / 'state' / 'valet.sqlite'}"},
        "engine": {"mode": "local"},
        "inventory": {"driver": "file", "file": inventory},
    }
    return write_groups(directory / "valet.conf", groups, sections)


def write_groups(path, groups, sections=None):
    """An oslo.config file at ``path`` holding ``groups`` updated with
    ``sections`` (both {group: {option: value}}); returns ``path``."""
    merged = {group: dict(options) for group, options in groups.items()}
    for group, options in (sections or {}).items():
        merged.setdefault(group, {}).update(options)
    path.write_text("".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in options.items())
        for group, options in merged.items()))
    return path


@contextlib.contextmanager
def serving(directory, conf, port, timeout=60.0):
    """The base URL of ``valet-api --config-file conf`` listening on
    ``port``, until the block ends (stopped on failure too)."""
    base = f"http://127.0.0.1:{port}"
    process, log = start_server(directory, conf)
    try:
        wait_until_up(base, process, timeout=timeout)
        yield base
    finally:
        stop(process, log)


def start_server(directory, conf, arguments=None):
    """``(process, log file)``: ``valet-api --config-file conf`` (or the
    command ``arguments``) running in ``directory``, its output in
    ``directory/valet-api.log``.  HOME is an empty directory: the server
    must not need ~/.gunicorn."""
    home = directory / "home"
    home.mkdir(exist_ok=True)
    log = open(directory / "valet-api.log", "wb")  # noqa: SIM115 (closed by stop())
    command = arguments or [VALET_API, "--config-file", str(conf)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, HOME=str(home)), cwd=directory)
    return process, log


def stop(process, log, timeout=15):
    """SIGTERM (a graceful stop), then SIGKILL after ``timeout`` seconds
    (and :class:`subprocess.TimeoutExpired`); the exit status."""
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    finally:
        log.close()
