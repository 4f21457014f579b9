"""The store on SQLite files (the default database), and ``valet-db-manage``."""

import pathlib
import subprocess
import sys

import pytest

from ostro.state import migrate
from ostro.state.store import Store
from tests.unit.store_cases import StoreCases

DB_MANAGE = pathlib.Path(sys.executable).with_name("valet-db-manage")


@pytest.fixture
def empty_url(tmp_path):
    return f"sqlite:///{tmp_path}/valet.sqlite"


class TestSqliteStore(StoreCases):
    pass


def db_manage(*arguments):
    done = subprocess.run([str(DB_MANAGE), *arguments], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_db_manage_upgrades_the_configured_database(tmp_path):
    database = tmp_path / "db" / "store.sqlite"
    conf = tmp_path / "valet.conf"
    conf.write_text(f"[database]\nconnection = sqlite:///{database}\n")
    options = ("--config-file", str(conf))

    assert db_manage(*options, "version") == "none"
    assert db_manage(*options, "current") == "none (head is 0006: run upgrade)"
    assert db_manage(*options, "upgrade") == "upgraded from an empty database to 0006"
    assert db_manage(*options, "upgrade") == "already at 0006"
    assert db_manage(*options, "current") == "0006 (head)"
    assert db_manage(*options, "version") == "0006"
    store = Store(f"sqlite:///{database}")
    try:
        assert store.load() == ({"plans": [], "placements": []}, 0)
    finally:
        store.close()


def test_db_manage_defaults_to_sqlite_under_state_path(tmp_path):
    conf = tmp_path / "valet.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path / 'state'}\n")
    db_manage("--config-file", str(conf), "upgrade")
    assert migrate.current(f"sqlite:///{tmp_path / 'state' / 'valet.sqlite'}") == "0006"


def test_db_manage_without_a_command_fails():
    done = subprocess.run([str(DB_MANAGE)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode != 0 and "upgrade" in done.stderr
