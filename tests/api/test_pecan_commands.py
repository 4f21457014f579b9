"""``pecan populate`` and ``pecan serve`` with ``etc/valet/config.py``: the
real ``pecan`` console script in a subprocess, a real SQLite file."""

import pathlib
import sqlite3
import subprocess
import sys

from ostro.state import migrate
from ostro.state.store import Store
from tests.support.live_server import call, free_port, start_server, stop, wait_until_up
from valet_api import app as valet_app

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "etc" / "valet" / "config.py"
INVENTORY = ROOT / "etc" / "valet" / "inventory.yaml"
PECAN = pathlib.Path(sys.executable).with_name("pecan")


def pecan(*args, cwd):
    return subprocess.run([str(PECAN), *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd, check=False)


def schema(path):
    """Every table's SQL and the alembic revision rows of a SQLite file."""
    with sqlite3.connect(path) as connection:
        tables = connection.execute("SELECT type, name, sql FROM sqlite_master "
                                    "ORDER BY type, name").fetchall()
        revisions = connection.execute("SELECT * FROM alembic_version").fetchall()
    return tables, revisions


def test_populate_with_the_sample_creates_then_leaves_the_schema(tmp_path):
    # The sample as shipped: it names etc/valet/valet.conf, whose SQLite file
    # is ./state/valet.sqlite, relative to where the command runs.
    database = tmp_path / "state" / "valet.sqlite"
    first = pecan("populate", SAMPLE, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"valet: upgraded from an empty database to {migrate.head()}" in first.stdout
    url = f"sqlite:///{database}"
    assert migrate.current(url) == migrate.head()

    store = Store(url)
    try:
        store.create_group("kept", "diversity", "host")
    finally:
        store.close()
    before = schema(database)

    second = pecan("populate", SAMPLE, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"valet: already at {migrate.head()}" in second.stdout
    assert schema(database) == before
    store = Store(url)
    try:
        assert [group.name for group in store.list_groups()] == ["kept"]
    finally:
        store.close()


def write_configs(tmp_path, port):
    """A valet.conf on a SQLite file in ``tmp_path`` and a pecan config that
    is the sample with its listener port and oslo.config file overridden."""
    conf = tmp_path / "valet.conf"
    conf.write_text("[DEFAULT]\n"
                    f"state_path = {tmp_path / 'state'}\n"
                    "[inventory]\n"
                    f"file = {INVENTORY}\n")
    config = tmp_path / "config.py"
    config.write_text(SAMPLE.read_text() + "\n# The test's overrides.\n"
                      f'server = {{"host": "127.0.0.1", "port": "{port}"}}\n'
                      f'valet = {{"config_file": "{conf.name}"}}\n')
    return config


def test_serve_with_the_sample_answers_over_http(tmp_path):
    port = free_port()
    config = write_configs(tmp_path, port)
    # Elsewhere, so "valet.conf" must be found next to the pecan config.
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    populated = pecan("populate", config, cwd=cwd)
    assert populated.returncode == 0, populated.stderr
    assert (tmp_path / "state" / "valet.sqlite").exists()

    process, log = start_server(cwd, None, [str(PECAN), "serve", str(config)])
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = wait_until_up(base, process, timeout=30.0)
        assert status == 200, body
        assert body["versions"][0]["links"][0]["href"] == f"{base}/v1/"
        # The app reads the store valet.conf names (populated above).
        status, body = call(base, "GET", "/v1/status")
        assert status == 200, body
        assert body["status"]["database"]["state"] == "ok"
        status, body = call(base, "GET", "/v1/hosts/c01r01h01")
        assert status == 200, body
    finally:
        stop(process, log)


def test_config_files_come_from_the_pecan_config_then_the_environment(monkeypatch):
    monkeypatch.setenv(valet_app.CONFIG_FILE_VARIABLE, "/etc/a.conf, /etc/b.conf")
    assert valet_app.config_files({"app": {}}) == ["/etc/a.conf", "/etc/b.conf"]
    named = {"valet": {"config_file": ["valet.conf", "/abs/extra.conf"]}}
    assert valet_app.config_files(named) == ["valet.conf", "/abs/extra.conf"]
    monkeypatch.delenv(valet_app.CONFIG_FILE_VARIABLE)
    assert valet_app.config_files({}) is None
