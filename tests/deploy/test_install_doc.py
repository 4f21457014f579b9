"""doc/install.md, run: every command its shell blocks show, in order, from a
new venv of Debian's python3 to a serving ``valet-api`` and ``valet-engine``.

The system paths move into a temporary directory (``/opt/valet``,
``/etc/valet``, ...); the user ``valet`` is created in a root of its own
(``systemd-sysusers --root``, ``useradd --prefix``), and the commands that
would act as it act as the user running the tests.  The few commands that
cannot run here are in :data:`NOT_RUN`, each with the reason.
"""

import getpass
import os
import pathlib
import re
import shlex
import subprocess
import time

import pytest

from tests.support import live_server

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "doc" / "install.md"
# Written, and tested, with the deployment samples (test_apache.py, ...).
OTHERS_SECTIONS = {"Deployment samples"}
NOT_RUN = {
    "apt-get": "installs Debian packages on the host: `make system-packages` does, and "
               "test_the_packages_apt_get_installs_are_installed checks they are there",
    "systemctl": "needs systemd as PID 1; test_systemd.py verifies the units "
                 "(systemd-analyze verify) and this test runs the same commands by hand",
    "openstack": "needs a cloud's Keystone and its admin; tests/keystone registers the "
                 "service type valet and its endpoints in a real Keystone",
}
# Long-running commands: started, checked, then stopped by PID with SIGTERM.
SERVERS = {"valet-api", "valet-engine"}
SYSTEM_PATHS = ("/opt/valet", "/etc/valet", "/var/lib/valet", "/var/log/valet",
                "/etc/systemd/system", "/etc/sysusers.d")


def sections():
    """{section title: [shell block, ...]} of doc/install.md, in order."""
    found, title, block = {}, None, None
    for line in DOC.read_text().splitlines():
        if block is not None:
            if line.startswith("```"):
                found.setdefault(title, []).append("\n".join(block))
                block = None
            else:
                block.append(line)
        elif line.startswith("## "):
            title = line[3:].strip()
            found.setdefault(title, [])
        elif line.strip() in ("```sh", "```bash", "```shell"):
            block = []
    return found


def commands(block):
    """A shell block's commands: one a line, backslash continuations joined,
    a here-document kept with its command; comments and blank lines left out."""
    lines, found = block.splitlines(), []
    while lines:
        line = lines.pop(0)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\") and lines:
            line = line[:-1] + lines.pop(0)
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", line)
        if heredoc:
            body = []
            while lines and lines[0].strip() != heredoc.group(1):
                body.append(lines.pop(0))
            terminator = lines.pop(0) if lines else ""
            line = "\n".join([line, *body, terminator])
        found.append(line)
    return found


def program(command):
    """The program a command runs (after ``runuser -u valet --``)."""
    words = shlex.split(command.splitlines()[0], comments=True)
    if words[:1] == ["runuser"]:
        words = words[words.index("--") + 1:]
    return os.path.basename(words[0])


def shown():
    """[(section, command)] of every section this test runs."""
    return [(title, command) for title, blocks in sections().items()
            if title not in OTHERS_SECTIONS for block in blocks for command in commands(block)]


class Host:
    """The temporary stand-in for the machine doc/install.md installs on."""

    def __init__(self, base, port):
        self.base = base
        self.port = port
        self.paths = {path: f"{base}{path}" for path in SYSTEM_PATHS}
        self.sysusers_root = base / "sysusers-root"
        self.useradd_root = base / "useradd-root"
        # What a Debian host has before the doc's commands run.
        for existing in (self.sysusers_root / "etc", self.useradd_root / "etc",
                         base / "etc" / "systemd" / "system"):
            existing.mkdir(parents=True)
        self.user = getpass.getuser()
        self.group = subprocess.run(["id", "-gn"], capture_output=True, text=True,
                                    check=True).stdout.strip()

    def substitute(self, command):
        """``command`` for this host: the paths moved, the user valet created
        in a root of its own and acted as by the test's user, the API on
        127.0.0.1 and a free port, the wheel built into the temporary dist/."""
        pattern = "|".join(re.escape(path) for path in SYSTEM_PATHS)
        command = re.sub(rf"(?<![\w./-])({pattern})(?=[/\s'\"]|$)",
                         lambda match: self.paths[match.group(1)], command)
        command = re.sub(r"(?<=\s)dist/", f"{self.base}/dist/", command)
        command = re.sub(r"^systemd-sysusers ", f"systemd-sysusers --root={self.sysusers_root} ",
                         command)
        command = re.sub(r"^useradd ", f"useradd --prefix {self.useradd_root} ", command)
        command = re.sub(r"^runuser -u valet -- ", "", command)
        command = re.sub(r"-o valet\b", f"-o {self.user}", command)
        command = re.sub(r"-g valet\b", f"-g {self.group}", command)
        command = command.replace("0.0.0.0", "127.0.0.1")
        return command.replace("8090", str(self.port))


def run(command, timeout=600):
    return subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def start(command, directory, name):
    """A server command as a process of its own (``exec``: its PID is the server's)."""
    log = open(directory / f"{name}.out", "wb")  # noqa: SIM115 (closed by live_server.stop)
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=directory, stdout=log,
                               stderr=subprocess.STDOUT,
                               env=dict(os.environ, HOME=str(directory)))
    return process, log


def test_the_doc_shows_each_step():
    titles = [title for title, blocks in sections().items() if blocks]
    assert titles[:5] == ["From a wheel", "Service user and directories", "Database",
                          "Starting the services", "Registering in Keystone"]
    programs = {program(command) for _, command in shown()}
    assert {"build-wheel", "pip", "systemd-sysusers", "useradd", "valet-db-manage",
            "valet-api", "valet-engine", "curl", "openstack"} <= programs
    # Every command the test does not run is listed with its reason, and
    # every listed one is still in the doc.
    assert set(NOT_RUN) <= programs


def test_the_packages_apt_get_installs_are_installed():
    wanted = [command for _, command in shown() if program(command) == "apt-get"]
    assert wanted
    for command in wanted:
        packages = [word for word in shlex.split(command)[2:] if not word.startswith("-")]
        for package in packages:
            status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                    capture_output=True, text=True)
            assert status.stdout == "install ok installed", (package, status.stderr)


def test_every_command_of_the_doc_runs(tmp_path):
    host = Host(tmp_path, live_server.free_port())
    servers, done = [], []
    try:
        for title, shown_command in shown():
            name = program(shown_command)
            if name in NOT_RUN:
                continue
            command = host.substitute(shown_command)
            if name in SERVERS:
                servers.append((name, *start(command, tmp_path, name)))
                wait_for(name, servers[-1][1], host)
                continue
            result = run(command)
            assert result.returncode == 0, (title, command, result.stdout, result.stderr)
            done.append(name)
        assert [name for name, _, _ in servers] == ["valet-api", "valet-engine"]
    finally:
        stopped = {name: stop(process, log) for name, process, log in reversed(servers)}
    # None: still running 30 s after SIGTERM (then killed).
    assert stopped == dict.fromkeys(stopped, 0), {name: tail(host, name) for name in stopped}
    check_the_host(host)


def wait_for(name, process, host):
    """valet-api answers ``GET /``; valet-engine is still running after a few seconds."""
    if name == "valet-api":
        base = f"http://127.0.0.1:{host.port}"
        status, body = live_server.wait_until_up(base, process, timeout=60)
        assert status == 200, body
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{name} exited with {process.returncode}"
        time.sleep(0.2)


def stop(process, log):
    """SIGTERM by PID; the exit status (None: still running after 30 s, then killed)."""
    try:
        return live_server.stop(process, log, timeout=30)
    except subprocess.TimeoutExpired:
        return None


def tail(host, name):
    """The end of a server's log ([DEFAULT] log_dir), else of its output."""
    log = host.base / "var" / "log" / "valet" / f"{name}.log"
    output = log if log.is_file() else host.base / f"{name}.out"
    return output.read_text()[-2000:]


def check_the_host(host):
    """What the doc says the commands leave behind."""
    base = host.base
    for root in (host.sysusers_root, host.useradd_root):
        # NOTE: the password field is "x" or "!" depending on whether that
        # root has a shadow file; the user, its home and its shell matter.
        entries = [line.split(":") for line in (root / "etc" / "passwd").read_text().splitlines()]
        valet = next((entry for entry in entries if entry[0] == "valet"), None)
        assert valet is not None, f"no valet user in {root}/etc/passwd"
        assert valet[-2].endswith("/var/lib/valet") and valet[-1].endswith("nologin"), valet
    assert (base / "var" / "lib" / "valet" / "valet.sqlite").is_file()
    assert {path.name for path in (base / "etc" / "systemd" / "system").iterdir()} >= {
        "valet-api.service"}
    logs = base / "var" / "log" / "valet"
    for name in (*SERVERS, "valet-db-manage"):
        assert (logs / f"{name}.log").is_file(), f"no {name}.log in [DEFAULT] log_dir"


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_servers_take_oslo_logs_options(server, deploy_venv, tmp_path):
    # The doc: "--config-file, --config-dir, --log-file, --debug like any
    # OpenStack service".
    helped = subprocess.run([str(deploy_venv / "bin" / server), "--help"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    for option in ("--config-file", "--config-dir", "--log-file", "--debug"):
        assert option in helped.stdout
