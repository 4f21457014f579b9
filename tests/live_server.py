"""Talking to a real ``valet-api`` process over HTTP from a test."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest


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
    """The answer to ``GET /`` once the server gives one; fails the test if
    the process exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"valet-api exited with {process.returncode} before answering")
        try:
            return call(base, "GET", "/")
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    pytest.fail(f"valet-api did not answer GET / within {timeout} s")
