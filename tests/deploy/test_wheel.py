"""Valet's wheel and Valet installed from it (issue 10, "Install").

The wheel is built from the working tree by tools/build-wheel (what
tools/build-deploy-venv installs), and its file list is checked against its
own entry points and the checkout; then the installed ``deploy_venv`` runs
every command, loads every entry point and serves the API.
"""

import configparser
import json
import pathlib
import sqlite3
import subprocess
import types
import zipfile

import pytest

from ostro.state import migrate
from tests.support import live_server

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("ostro", "valet_api", "valet_openstack")
# etc/ as shipped: directories whose every file goes, and single files.
SHIPPED_DIRECTORIES = ("etc/valet/examples", "etc/valet/deploy", "etc/heat/plugins",
                       "etc/heat/environment.d", "etc/heat/examples")
SHIPPED_FILES = ("etc/valet/valet.conf.sample", "etc/valet/policy.yaml.sample",
                 "etc/valet/inventory.yaml", "etc/valet/config.py")
# `make run`'s configuration (paths relative to the checkout) and the
# generator's input (an output path in the checkout): not for an install.
NOT_SHIPPED = ("etc/valet/valet.conf", "etc/valet/valet-config-generator.conf")
# Entry points that plug Valet into another service: their modules import
# that service, which a Valet install does not have.
HOST_GROUPS = ("heat.", "cinder.", "nova.")


def checkout_files():
    """The working tree's files as tools/build-wheel copies them."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {path for path in listed.split("\0") if path and (ROOT / path).exists()}


def declared_entry_points():
    """{(group, name): value} of setup.cfg's [options.entry_points]."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "setup.cfg")
    declared = {}
    for group, lines in parser["options.entry_points"].items():
        for line in filter(None, (line.strip() for line in lines.splitlines())):
            name, value = (part.strip() for part in line.split("=", 1))
            declared[(group, name)] = value
    return declared


class Wheel:
    """A built wheel's file list and metadata."""

    def __init__(self, path):
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.names = set(archive.namelist())
            self.dist_info = next(name.split("/")[0] for name in self.names
                                  if name.endswith(".dist-info/RECORD"))
            self.record = {line.split(",")[0] for line in
                           archive.read(f"{self.dist_info}/RECORD").decode().splitlines()}
            entry_points = archive.read(f"{self.dist_info}/entry_points.txt").decode()
        self.data = self.dist_info.replace(".dist-info", ".data")
        parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        parser.optionxform = str   # entry point names are case-sensitive (ValetFilter)
        parser.read_string(entry_points)
        self.entry_points = {(group, name): value for group in parser.sections()
                             for name, value in parser[group].items()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # NOTE: listed with the build, so that files others add to the working
    # tree meanwhile are not counted as missing from the wheel.
    sources = checkout_files()
    built = subprocess.run([str(ROOT / "tools" / "build-wheel"), str(out)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    built_wheel = Wheel(pathlib.Path(built.stdout.strip()))
    built_wheel.sources = sources
    return built_wheel


def module_files(module):
    """The files that must exist for ``module`` to import: its own, and each
    enclosing package's ``__init__.py``."""
    parts = module.split(".")
    packages = [f"{'/'.join(parts[:end])}/__init__.py" for end in range(1, len(parts))]
    own = "/".join(parts)
    return packages, (f"{own}.py", f"{own}/__init__.py")


# -- the wheel --------------------------------------------------------------

def test_the_wheel_declares_every_entry_point_of_setup_cfg(wheel):
    assert wheel.entry_points == declared_entry_points()


def test_every_entry_points_module_is_in_the_wheel(wheel):
    missing = []
    for (group, name), value in sorted(wheel.entry_points.items()):
        packages, own = module_files(value.split(":")[0])
        absent = [path for path in packages if path not in wheel.names]
        if not any(path in wheel.names for path in own):
            absent.append(own[0])
        if absent:
            missing.append(f"{group} {name} = {value}: {', '.join(absent)}")
    assert not missing


def test_every_module_of_the_checkouts_packages_is_in_the_wheel(wheel):
    sources = {path for path in wheel.sources
               if path.startswith(tuple(f"{package}/" for package in PACKAGES))
               and path.endswith(".py")}
    assert sources, "no package sources found in the checkout"
    assert sorted(sources - wheel.names) == []


def test_no_test_helpers_or_benchmarks_in_the_wheel(wheel):
    top_level = {name.split("/")[0] for name in wheel.names
                 if not name.startswith((wheel.dist_info, wheel.data))}
    assert top_level == set(PACKAGES)


def test_etc_is_shipped_as_data_files_under_the_prefix(wheel):
    in_directories = tuple(f"{directory}/" for directory in SHIPPED_DIRECTORIES)
    expected = set(SHIPPED_FILES) | {path for path in wheel.sources
                                     if path.startswith(in_directories)}
    # The samples the other suites and doc/install.md rely on by name.
    assert {"etc/heat/plugins/valet_resources.py", "etc/heat/environment.d/valet.yaml",
            "etc/valet/deploy/valet-api.service"} <= expected
    prefix = f"{wheel.data}/data/"
    shipped = {name[len(prefix):] for name in wheel.names if name.startswith(prefix)}
    assert shipped == expected
    assert not shipped & set(NOT_SHIPPED)
    assert all(f"{prefix}{path}" in wheel.record for path in shipped)


def test_the_wsgi_script_is_installed_into_bin(wheel):
    assert f"{wheel.data}/scripts/valet-api-wsgi" in wheel.record


# -- installed: the deploy venv ---------------------------------------------

def venv_python(deploy_venv, code, *args, **kwargs):
    return subprocess.run([str(deploy_venv / "bin" / "python"), "-c", code, *args],
                          capture_output=True, text=True, timeout=120, **kwargs)


LOAD_ENTRY_POINTS = """
import importlib.metadata, json, sys
dist = importlib.metadata.distribution("openstack-valet")
files = {str(path) for path in dist.files}
host_groups = tuple(sys.argv[1].split(","))
found = []
for ep in dist.entry_points:
    entry = {"group": ep.group, "name": ep.name}
    if ep.group.startswith(host_groups):
        own = ep.module.replace(".", "/")
        candidates = (own + ".py", own + "/__init__.py")
        entry["file"] = next((str(dist.locate_file(path)) for path in candidates
                              if path in files and dist.locate_file(path).exists()), None)
    else:
        try:
            ep.load()
            entry["file"] = sys.modules[ep.module].__file__
        except Exception as exc:
            entry["error"] = repr(exc)
    found.append(entry)
print(json.dumps(found))
"""


def test_every_entry_point_loads_from_the_venv(deploy_venv, wheel):
    answer = venv_python(deploy_venv, LOAD_ENTRY_POINTS, ",".join(HOST_GROUPS), cwd="/")
    assert answer.returncode == 0, answer.stderr
    found = json.loads(answer.stdout)
    assert {(entry["group"], entry["name"]) for entry in found} == set(wheel.entry_points)
    assert [entry for entry in found if "error" in entry] == []
    # Loaded from the install, not from a checkout on the path.
    site = deploy_venv.resolve() / "lib"
    outside = [entry for entry in found
               if not entry["file"] or not pathlib.Path(entry["file"]).is_relative_to(site)]
    assert outside == []


def test_each_console_script_answers_help(deploy_venv, wheel):
    scripts = sorted(name for group, name in wheel.entry_points if group == "console_scripts")
    assert scripts
    failed = {}
    for script in scripts:
        done = subprocess.run([str(deploy_venv / "bin" / script), "--help"],
                              capture_output=True, text=True, timeout=60, cwd="/")
        if done.returncode != 0 or "usage" not in done.stdout.lower():
            failed[script] = (done.returncode, done.stderr[-500:])
    assert failed == {}


def test_valet_sim_bench_says_it_needs_a_source_checkout(deploy_venv):
    done = subprocess.run([str(deploy_venv / "bin" / "valet-sim"), "bench", "--quick"],
                          capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 1
    assert "needs a source checkout" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def installed_conf(deploy_venv, tmp_path_factory):
    """A valet.conf for the install (its shipped sample inventory, SQLite in
    a fresh state directory), the schema created by ``valet-db-manage``."""
    directory = tmp_path_factory.mktemp("installed")
    (directory / "state").mkdir()
    port = live_server.free_port()
    conf = live_server.write_conf(directory, port,
                                  deploy_venv / "etc" / "valet" / "inventory.yaml")
    upgrade = subprocess.run([str(deploy_venv / "bin" / "valet-db-manage"), "--config-file",
                              str(conf), "upgrade"],
                             capture_output=True, text=True, timeout=120, cwd=directory)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "upgraded from an empty database" in upgrade.stdout
    return types.SimpleNamespace(conf=conf, port=port, directory=directory)


def test_valet_db_manage_upgrade_creates_the_schema(installed_conf):
    database = installed_conf.directory / "state" / "valet.sqlite"
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    # The installed migrations reach the checkout's newest revision.
    assert revision == [(migrate.head(),)]
    assert len(tables - {"alembic_version"}) >= 3, tables


def test_valet_api_serves_from_the_venv(deploy_venv, installed_conf):
    directory, conf = installed_conf.directory, installed_conf.conf
    base = f"http://127.0.0.1:{installed_conf.port}"
    process, log = live_server.start_server(
        directory, conf, [str(deploy_venv / "bin" / "valet-api"), "--config-file", str(conf)])
    try:
        status, root = live_server.wait_until_up(base, process, timeout=60)
        assert status == 200, root
        status, body = live_server.call(base, "GET", "/v1/status")
        assert status == 200, body
    finally:
        exit_status = live_server.stop(process, log)
    assert exit_status == 0, (directory / "valet-api.log").read_text()[-2000:]


WSGI_REQUEST = """
import io, runpy, sys, wsgiref.util
application = runpy.run_path(sys.argv[1])["application"]
environ = {"PATH_INFO": "/v1/status", "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
wsgiref.util.setup_testing_defaults(environ)
answer = []
body = b"".join(application(environ, lambda status, headers, exc_info=None: answer.append(status)))
print(answer[0])
"""


def test_the_wsgi_script_serves_the_app(deploy_venv, installed_conf):
    script = deploy_venv / "bin" / "valet-api-wsgi"
    assert script.read_text().splitlines()[0] == f"#!{deploy_venv / 'bin' / 'python3'}"
    done = venv_python(deploy_venv, WSGI_REQUEST, str(script), cwd=installed_conf.directory,
                       env={"VALET_CONFIG_FILE": str(installed_conf.conf), "HOME": "/nonexistent",
                            "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "200 OK"
