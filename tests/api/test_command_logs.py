"""oslo.log in the other commands, run for real: ``valet-db-manage`` and
``valet-sim`` (``--log-file``, ``--debug``; stdout keeps only the answer),
and the WSGI entry point (``[DEFAULT] log_file`` of ``VALET_CONFIG_FILE``)."""

import json
import os
import pathlib
import subprocess
import sys

from tests.api import engine_cases
from tests.support import live_server

BIN = pathlib.Path(sys.executable).parent


def run(*command, env=None, cwd=None):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=120, check=False, env=env, cwd=cwd)


def test_db_manage_logs_to_its_log_file_and_answers_on_stdout(tmp_path):
    conf = live_server.write_groups(tmp_path / "valet.conf", {
        "database": {"connection": f"sqlite:///{tmp_path / 'valet.sqlite'}"}})
    log = tmp_path / "db.log"
    done = run(BIN / "valet-db-manage", "--config-file", conf, "--log-file", log, "--debug",
               "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("upgraded from an empty database to ")
    assert done.stderr == ""
    text = log.read_text()
    assert "INFO alembic.runtime.migration [-] Running upgrade  -> 0001" in text
    assert " DEBUG " in text
    done = run(BIN / "valet-db-manage", "--config-file", conf, "version")
    assert (done.returncode, done.stdout.strip()) == (0, text.split("-> ")[-1].split(",")[0])
    assert "Context impl SQLiteImpl" in done.stderr        # no log file: stderr


def test_valet_sim_logs_beside_its_json(tmp_path):
    inventory = engine_cases.write_inventory(tmp_path)
    resources = tmp_path / "resources.json"
    resources.write_text(json.dumps(dict([engine_cases.server("sim-1")])))
    conf = live_server.write_groups(tmp_path / "sim.conf", {
        "DEFAULT": {"log_file": tmp_path / "from-conf.log"}})
    done = run(BIN / "valet-sim", "--config-file", conf, "--debug", "place",
               "--inventory", inventory, "--resources", resources)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)["placements"]) == {"orch-sim-1"}
    assert (tmp_path / "from-conf.log").exists()       # [DEFAULT] log_file of --config-file
    done = run(BIN / "valet-sim", "--log-file", tmp_path / "sim.log", "--debug", "place",
               "--inventory", inventory, "--resources", tmp_path / "missing.json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["type"] == "InvalidInput"
    assert (tmp_path / "sim.log").exists()


def test_the_wsgi_entry_point_sets_up_oslo_log(tmp_path):
    port = live_server.free_port()
    conf = live_server.write_conf(tmp_path, port, engine_cases.write_inventory(tmp_path),
                                  DEFAULT={"log_file": tmp_path / "wsgi.log"})
    assert run(BIN / "valet-db-manage", "--config-file", conf, "upgrade").returncode == 0
    script = ("import webtest, valet_api.wsgi as w; "
              "webtest.TestApp(w.application).get('/v1/nothing', status=404)")
    done = run(sys.executable, "-c", script, cwd=tmp_path,
               env=dict(os.environ, VALET_CONFIG_FILE=str(conf)))
    assert done.returncode == 0, done.stderr
    assert "INFO valet_api.errors [None req-" in (tmp_path / "wsgi.log").read_text()
