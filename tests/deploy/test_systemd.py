"""etc/valet/deploy/valet-api.service and valet-engine.service checked by
systemd-analyze verify with /opt/valet replaced by the deploy venv, their
ExecStart run the way systemd runs it (as User=/Group=, stopped with
KillSignal= and at most TimeoutStopSec= to go), and the sysusers.d and
tmpfiles.d files applied to a scratch root by systemd-sysusers and
systemd-tmpfiles."""

import configparser
import shlex
import signal
import time

import pytest

from tests.deploy import servers

UNITS = ("valet-api.service", "valet-engine.service")


def unit(name, venv):
    """The unit's text with /opt/valet substituted, and its [Service] section."""
    text = servers.sample(name, {"/opt/valet": str(venv)})
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(text)
    return text, parser["Service"]


@pytest.fixture
def site(deploy_venv):
    with servers.Site(deploy_venv) as site:
        yield site


def test_systemd_analyze_verifies_both_units_with_the_real_executables(site):
    paths = [site.write(name, unit(name, site.venv)[0]) for name in UNITS]
    checked = servers.run(["systemd-analyze", "verify", *map(str, paths)])
    # NOTE: verify exits 0 after warnings (an unparsable time is "ignored"):
    # any line it prints about the units is a mistake in them.
    assert checked.stderr.strip() == "" and checked.stdout.strip() == ""


@pytest.mark.parametrize("name", UNITS)
def test_the_unit_runs_the_venvs_command_as_valet_with_its_directories(name, deploy_venv):
    _, service = unit(name, deploy_venv)
    program, *arguments = shlex.split(service["ExecStart"])
    assert program == str(deploy_venv / "bin" / name.removesuffix(".service"))
    assert arguments == ["--config-file", "/etc/valet/valet.conf"]
    # The account sysusers-valet.conf creates, the directories tmpfiles-valet.conf makes.
    assert (service["User"], service["Group"]) == (servers.USER, servers.USER)
    assert (service["StateDirectory"], service["LogsDirectory"]) == ("valet", "valet")


def graceful_shutdown_timeout(venv):
    """``[engine] graceful_shutdown_timeout``'s default, as the venv's
    option list (oslo.config.opts entry points) declares it."""
    probe = (
        "import importlib.metadata as m\n"
        "for entry in m.entry_points(group='oslo.config.opts'):\n"
        "    if entry.name.startswith('valet.'):\n"
        "        for group, opts in entry.load()():\n"
        "            for opt in opts:\n"
        "                if str(group) == 'engine' and opt.name == 'graceful_shutdown_timeout':\n"
        "                    print(opt.default)\n")
    found = servers.run([str(venv / "bin" / "python"), "-c", probe]).stdout.split()
    assert found, "no [engine] graceful_shutdown_timeout among the venv's options"
    return float(found[0])


def test_systemd_waits_longer_than_the_engine_takes_to_stop(deploy_venv):
    _, service = unit("valet-engine.service", deploy_venv)
    assert float(service["TimeoutStopSec"]) > graceful_shutdown_timeout(deploy_venv)


def start_as_the_unit_does(name, site, **sections):
    """The unit's ExecStart, its config file this test's, as its User=."""
    _, service = unit(name, site.venv)
    conf = site.config(f"{name}.conf", **sections)
    argv = [str(conf) if part == "/etc/valet/valet.conf" else part
            for part in shlex.split(service["ExecStart"])]
    server = servers.Server(argv, site.root / f"{name}.out", account=site.account,
                            stop_signal=getattr(signal, service["KillSignal"]))
    return server, float(service["TimeoutStopSec"])


def stopped_in_time(server, timeout):
    """The exit status of ``server`` after KillSignal, and the seconds it took."""
    started = time.monotonic()
    status = server.stop(timeout=timeout)
    return status, time.monotonic() - started


def test_valet_api_serves_and_stops_cleanly_as_the_unit_runs_it(site):
    port = servers.free_port()
    server, timeout = start_as_the_unit_does("valet-api.service", site,
                                             api={"host": "127.0.0.1", "port": port})
    try:
        log = site.logs / "valet-api.log"
        status, _, body = servers.wait_for(f"http://127.0.0.1:{port}/", server, [log])
        assert status == 200 and body["versions"][0]["id"] == "v1.0"
        assert server.owners()[server.pid] == "valet"
        # LogsDirectory=valet and log_dir: the log where the operator looks.
        assert log.owner() == "valet"
    finally:
        status, took = stopped_in_time(server, timeout)
    assert status == 0, server.tail(log)
    assert took < timeout


def test_valet_engine_without_its_broker_stops_cleanly_as_the_unit_runs_it(site):
    # NOTE: no broker listens on port 1: the engine starts anyway (the broker
    # may come up after it) and must still obey systemd's stop.
    server, timeout = start_as_the_unit_does(
        "valet-engine.service", site,
        DEFAULT={"transport_url": "rabbit://guest:guest@127.0.0.1:1/"})
    try:
        log = site.logs / "valet-engine.log"
        servers.wait_for_text(log, "database at revision", timeout=60, server=server)
        # NOTE: past the upgrade the engine sets up its service and starts
        # retrying the broker: the stop must work from there, not only before.
        time.sleep(3)
        assert server.process.poll() is None, server.tail(log)
        assert server.owners()[server.pid] == "valet"
    finally:
        status, took = stopped_in_time(server, timeout)
    assert status == 0, server.tail(log)
    assert took < timeout


def test_sysusers_creates_valet_with_its_state_directory_as_home(tmp_path):
    (tmp_path / "etc").mkdir()
    servers.run(["systemd-sysusers", f"--root={tmp_path}",
                 str(servers.DEPLOY / "sysusers-valet.conf")])
    users = {line.split(":")[0]: line.split(":") for line in
             (tmp_path / "etc" / "passwd").read_text().splitlines()}
    groups = {line.split(":")[0]: line.split(":") for line in
              (tmp_path / "etc" / "group").read_text().splitlines()}
    _, _, uid, gid, _, home, shell = users["valet"]
    assert (home, shell) == ("/var/lib/valet", "/usr/sbin/nologin")
    assert groups["valet"][2] == gid
    # A system account: below the first ordinary user's id.
    assert int(uid) < 1000


def test_tmpfiles_makes_the_state_and_log_directories_valets(tmp_path):
    (tmp_path / "etc").mkdir()
    servers.run(["systemd-sysusers", f"--root={tmp_path}",
                 str(servers.DEPLOY / "sysusers-valet.conf")])
    servers.run(["systemd-tmpfiles", f"--root={tmp_path}", "--create",
                 str(servers.DEPLOY / "tmpfiles-valet.conf")])
    uid = next(int(line.split(":")[2]) for line in
               (tmp_path / "etc" / "passwd").read_text().splitlines()
               if line.startswith("valet:"))
    for path in ("var/lib/valet", "var/log/valet"):
        made = (tmp_path / path).stat()
        assert (made.st_uid, made.st_mode & 0o777) == (uid, 0o750), path
