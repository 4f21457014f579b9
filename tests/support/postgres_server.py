"""A throwaway PostgreSQL server, for the store's tests and the API benchmark.

It runs from the distribution's binaries (``/usr/lib/postgresql/*/bin``) on a
data directory in a temporary directory, listens on 127.0.0.1 only, on a free
port, with its unix socket in that directory.  ``initdb`` refuses to run as
root, so as root every server command runs as the ``postgres`` user (which
owns the directory).  Durability is off (``fsync``): the data is thrown away.
"""

import glob
import os
import pathlib
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

BINARIES = "/usr/lib/postgresql/*/bin"
#: Names a bin directory elsewhere (another distribution's layout).
BINARIES_VARIABLE = "VALET_POSTGRES_BIN"
SERVER_USER = "postgres"
MISSING = ("PostgreSQL server binaries (initdb, pg_ctl) not found in {where}: install "
           "them, e.g. `apt-get install -y postgresql` (.ci/run does this), or set "
           f"{BINARIES_VARIABLE} to their directory")


class ServerError(Exception):
    """The server could not be set up; the message says why."""


def find_binaries():
    """The bin directory of the newest PostgreSQL installed."""
    pattern = os.environ.get(BINARIES_VARIABLE) or BINARIES
    found = [pathlib.Path(path).parent for path in glob.glob(f"{pattern}/initdb")
             if os.access(pathlib.Path(path).parent / "pg_ctl", os.X_OK)]
    if not found:
        raise ServerError(MISSING.format(where=pattern))
    return max(found, key=lambda path: [int(part) for part in path.parent.name.split(".")
                                        if part.isdigit()])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self, binaries=None):
        self.binaries = binaries or find_binaries()
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="valet-pg-"))
        self.data = self.root / "data"
        self.port = None
        self.timings = {}
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER, SERVER_USER)

    def url(self, database="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, attempts=3):
        self._timed("initdb", "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(attempts):
            self.port = free_port()
            try:
                self._timed("start", "pg_ctl", "-D", self.data, "-l", self.root / "server.log",
                            "-w", "-t", "60", "-o", shlex.join(self._server_options()), "start")
                return self
            except ServerError:
                # NOTE: another process may have taken the free port since.
                if attempt == attempts - 1:
                    raise

    def stop(self):
        """Stop the server (if it runs) and remove its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._timed("stop", "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _server_options(self):
        return ["-p", str(self.port), "-k", str(self.root),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]

    def _timed(self, label, program, *arguments):
        started = time.monotonic()
        self._run(program, *arguments)
        self.timings[label] = time.monotonic() - started

    def _run(self, program, *arguments):
        command = [str(self.binaries / program), *map(str, arguments)]
        if os.geteuid() == 0:
            command = ["su", SERVER_USER, "-c", shlex.join(command)]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerError(f"{program} failed ({done.returncode}): "
                              f"{done.stderr.strip() or done.stdout.strip()}\n{tail}")
