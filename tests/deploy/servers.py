"""What the deployment suites share: the samples of etc/valet/deploy/ with
only paths and ports substituted, the service user ``valet`` created the
documented way, a site directory that user can read, and real servers run
as processes, stopped by their PID, with nothing of theirs left behind."""

import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "etc" / "valet" / "deploy"
USER = "valet"


def sample(name, replacements):
    """The text of sample ``name`` with each key of ``replacements`` (a
    path or a port as shipped) replaced by its value; a key the sample no
    longer contains is a failure, not a silent no-op."""
    text = (DEPLOY / name).read_text()
    for shipped, local in replacements.items():
        assert shipped in text, f"{name} no longer contains {shipped!r}"
        text = text.replace(shipped, local)
    return text


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_user():
    """The ``valet`` account; as root, created from sysusers-valet.conf with
    systemd-sysusers, the step doc/install.md documents."""
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        pass
    if os.geteuid() != 0:
        pytest.fail(f"no user {USER}: as root, systemd-sysusers {DEPLOY / 'sysusers-valet.conf'}")
    run(["systemd-sysusers", str(DEPLOY / "sysusers-valet.conf")])
    return pwd.getpwnam(USER)


def run(argv, **options):
    """``argv`` run to completion; its output is in the failure when it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done


class Site:
    """A directory standing in for the machine's paths: ``root`` (readable by
    valet, unlike pytest's 0700 tmp_path), ``state`` and ``logs`` owned by
    valet as tmpfiles-valet.conf makes /var/lib/valet and /var/log/valet, and
    ``valet.conf`` (``log_dir`` the logs) over a SQLite file the venv's
    valet-db-manage created."""

    def __init__(self, venv):
        self.venv = venv
        self.account = service_user()
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="valet-deploy-"))
        self.root.chmod(0o755)
        self.state = self.directory("state", owner=self.account)
        self.logs = self.directory("logs", owner=self.account)
        self.database = f"sqlite:///{self.state}/valet.sqlite"
        self.conf = self.config("valet.conf")
        # As valet, as an operator runs it: the SQLite file must be valet's.
        run([str(venv / "bin" / "valet-db-manage"), "--config-file", str(self.conf), "upgrade"],
            user=self.account.pw_uid, group=self.account.pw_gid, cwd=self.state)

    def config(self, name, **sections):
        """An oslo.config file ``name`` over this site's state directory and
        database, plus ``sections`` (``api={"port": 8090}``; ``None`` leaves
        an option out)."""
        settings = {
            # As doc/install.md's valet.conf: the app logs in the logs directory.
            "DEFAULT": {"state_path": self.state, "log_dir": self.logs},
            "database": {"connection": self.database},
            # NOTE: the proxies' tests need links that follow X-Forwarded-Proto;
            # doc/install.md tells operators behind a TLS proxy to set the same.
            "oslo_middleware": {"enable_proxy_headers_parsing": "true"},
        }
        for group, options in sections.items():
            settings.setdefault(group, {}).update(options)
        return self.write(name, "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in options.items()
                                     if value is not None)
            for group, options in settings.items()))

    def directory(self, name, owner=None, mode=0o755):
        path = self.root / name
        path.mkdir(mode=mode)
        path.chmod(mode)
        if owner is not None:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        return path

    def write(self, name, text):
        path = self.root / name
        path.write_text(text)
        path.chmod(0o644)
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """A server started in a session of its own (so that every process it
    forks can be found again), output to ``output``, stopped by its PID."""

    def __init__(self, argv, output, env=None, stop_signal=signal.SIGTERM, account=None):
        self.argv = [str(part) for part in argv]
        self.output = pathlib.Path(output)
        self.stop_signal = stop_signal
        # NOTE: ``account`` (a pwd entry) runs it as systemd's User=/Group= do:
        # that user and group alone, none of root's supplementary groups.
        identity = {} if account is None else {
            "user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        with open(self.output, "wb") as sink:
            self.process = subprocess.Popen(
                self.argv, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})}, start_new_session=True, **identity)
        self.pid = self.process.pid

    def members(self):
        """PIDs of the processes still in the server's session, itself included."""
        found = []
        for entry in pathlib.Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            # NOTE: after the command's ")" come state, ppid, pgrp, session.
            if int(fields[3]) == self.pid and fields[0] != "Z":
                found.append(int(entry.name))
        return found

    def owners(self):
        """The user names the session's live processes run as, by PID."""
        owners = {}
        for pid in self.members():
            try:
                owners[pid] = pwd.getpwuid((pathlib.Path("/proc") / str(pid)).stat().st_uid).pw_name
            except (OSError, KeyError):
                continue
        return owners

    def tail(self, *logs, lines=30):
        """The last lines of the server's output and of ``logs``, for failures."""
        text = []
        for path in (self.output, *logs):
            path = pathlib.Path(path)
            content = path.read_text(errors="replace") if path.exists() else "(missing)"
            text.append(f"--- {path}\n" + "\n".join(content.splitlines()[-lines:]))
        return "\n".join(text)

    def stop(self, timeout=30):
        """The stop signal to the PID, a wait for its exit; then whatever it
        forked and left in its session is killed (by PID) and reported."""
        ignored = False
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                ignored = True
                self.process.kill()
                self.process.wait()
        left = self.members()
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = self.members()
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not ignored, f"{self.argv[0]} ignored {self.stop_signal!r} for {timeout} s"
        assert not left, f"{self.argv[0]} left processes {left} running"
        return self.process.returncode


def fetch(url, headers=None, cafile=None, timeout=30):
    """``(status, headers, body as JSON or text)`` of a GET of ``url``."""
    request = urllib.request.Request(url, headers=headers or {})
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
            status, answer_headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, body = error.code, error.headers, error.read()
    text = body.decode("utf-8", "replace")
    if answer_headers.get_content_type() == "application/json":
        return status, answer_headers, json.loads(text)
    return status, answer_headers, text


def wait_for(url, server, logs=(), timeout=60, cafile=None):
    """The first answer ``url`` gives (the app loads in each process first);
    a server that exited or never answers fails with its output."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"{server.argv[0]} exited {server.process.returncode}\n"
                        + server.tail(*logs))
        try:
            return fetch(url, cafile=cafile, timeout=max(1, deadline - time.monotonic()))
        except (OSError, ssl.SSLError) as error:
            if time.monotonic() > deadline:
                pytest.fail(f"{url} never answered ({error})\n" + server.tail(*logs))
            time.sleep(0.2)


def wait_for_text(path, text, timeout=10, server=None):
    """The content of ``path`` once it contains ``text``: servers write their
    log line for a request after they answered it.  With ``server``, its
    exit ends the wait at once, with its output."""
    path = pathlib.Path(path)
    deadline = time.monotonic() + timeout
    while True:
        content = path.read_text(errors="replace") if path.exists() else ""
        if text in content:
            return content
        if server is not None and server.process.poll() is not None:
            pytest.fail(f"{server.argv[0]} exited {server.process.returncode}\n"
                        + server.tail(path))
        assert time.monotonic() < deadline, f"{path} has no {text!r}:\n{content[-2000:]}"
        time.sleep(0.1)
