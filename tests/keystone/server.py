"""A throwaway Keystone for one test session.

Keystone runs from its own virtualenv (``make keystone`` creates
``.venv-keystone``; ``VALET_KEYSTONE_VENV`` names another) so that its
dependencies never change the project's.  Its state is a SQLite file and
Fernet keys in a temporary directory; ``keystone-manage bootstrap`` makes
the ``admin`` user, project and roles and the identity endpoint; gunicorn
serves it on 127.0.0.1 on a free port.  :meth:`KeystoneServer.stop` ends the
gunicorn it started (its own process group) and removes the directory.
"""

import grp
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
import urllib.error
import urllib.request

REPOSITORY = pathlib.Path(__file__).parents[2]
VENV_VARIABLE = "VALET_KEYSTONE_VENV"
ADMIN_PASSWORD = "keystone-admin-secret"
MISSING = ("Keystone is not installed in {venv} (keystone-manage, gunicorn): run "
           f"`make keystone`, which creates it, or set {VENV_VARIABLE} to a virtualenv "
           "with keystone and gunicorn")

#: keystone's WSGI module parses sys.argv with oslo.config at import and
#: would refuse gunicorn's own arguments; it must see none.
WSGI_MODULE = """\
import sys
sys.argv = sys.argv[:1]
from keystone.wsgi.api import application  # noqa: E402,F401
"""


class ServerError(Exception):
    """Keystone could not be set up; the message says why."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_venv():
    venv = pathlib.Path(os.environ.get(VENV_VARIABLE) or REPOSITORY / ".venv-keystone").resolve()
    for program in ("keystone-manage", "gunicorn"):
        if not os.access(venv / "bin" / program, os.X_OK):
            raise ServerError(MISSING.format(venv=venv))
    return venv


class KeystoneServer:
    def __init__(self, venv=None):
        self.venv = venv or find_venv()
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="valet-keystone-"))
        self.port = free_port()
        self.process = None
        self.timings = {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v3"

    def start(self, timeout=60):
        self._write_files()
        user, group = pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name
        self._manage("db_sync", "db_sync")
        self._manage("keys", "fernet_setup", "--keystone-user", user, "--keystone-group", group)
        self._manage("keys", "credential_setup", "--keystone-user", user,
                     "--keystone-group", group)
        self._manage("bootstrap", "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                     "--bootstrap-admin-url", self.url, "--bootstrap-public-url", self.url,
                     "--bootstrap-internal-url", self.url, "--bootstrap-region-id", "RegionOne")
        started = time.monotonic()
        environment = {**os.environ, "OS_KEYSTONE_CONFIG_DIR": str(self.root),
                       "OS_KEYSTONE_CONFIG_FILES": "keystone.conf"}
        log = open(self.root / "gunicorn.log", "wb")  # noqa: SIM115 (closed by the child's end)
        # NOTE: gunicorn >= 23 opens a control socket under ~/.gunicorn unless told where.
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "gunicorn"), "-b", f"127.0.0.1:{self.port}", "-w", "1",
             "--threads", "4", "--chdir", str(self.root),
             "--control-socket", str(self.root / "gunicorn.ctl"), "ks_wsgi:application"],
            cwd=self.root, env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self._wait_until_up(timeout)
        self.timings["serve"] = time.monotonic() - started
        return self

    def stop(self):
        """Stop gunicorn (master and workers, one process group) and remove the files."""
        try:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, size=3000):
        log = self.root / "gunicorn.log"
        return log.read_text(errors="replace")[-size:] if log.exists() else ""

    def _write_files(self):
        (self.root / "ks_wsgi.py").write_text(WSGI_MODULE)
        (self.root / "keystone.conf").write_text(textwrap.dedent(f"""\
            [DEFAULT]
            log_dir = {self.root}
            [database]
            connection = sqlite:///{self.root}/keystone.db
            [fernet_tokens]
            key_repository = {self.root}/fernet
            [fernet_receipts]
            key_repository = {self.root}/fernet
            [credential]
            key_repository = {self.root}/credential
            [token]
            provider = fernet
            [identity]
            # NOTE: bcrypt's fewest rounds: these passwords protect nothing,
            # and each user created or token issued hashes one.
            password_hash_rounds = 4
            """))

    def _manage(self, label, *arguments):
        started = time.monotonic()
        command = [str(self.venv / "bin" / "keystone-manage"), "--config-file",
                   str(self.root / "keystone.conf"), *arguments]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              timeout=180, check=False)
        if done.returncode != 0:
            raise ServerError(f"keystone-manage {arguments[0]} failed ({done.returncode}): "
                              f"{done.stderr.strip()[-2000:]}")
        self.timings[label] = self.timings.get(label, 0.0) + time.monotonic() - started

    def _wait_until_up(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"gunicorn exited with {self.process.returncode}:\n"
                                  f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise ServerError(f"Keystone did not answer {self.url} within {timeout} s:\n"
                          f"{self.log_tail()}")
