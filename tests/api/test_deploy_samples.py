"""The deployment samples under etc/valet/deploy/ name things that exist:
the uwsgi ini's module serves the API, the unit starts a real console
script, the Apache vhost points at the package's WSGI file."""

import configparser
import importlib
import importlib.metadata
import pathlib
import shlex
import sys

import webtest

from ostro.state import migrate
from valet_api import app as valet_app

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "etc" / "valet" / "deploy"


def uwsgi_settings():
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(DEPLOY / "valet-api-uwsgi.ini")
    return parser["uwsgi"]


def test_uwsgi_module_serves_the_api_with_the_config_file_it_names(tmp_path, monkeypatch):
    settings = uwsgi_settings()
    module_name, attribute = settings["module"].split(":")
    variable, _, named_file = settings["env"].partition("=")
    assert variable == valet_app.CONFIG_FILE_VARIABLE
    assert named_file == "/etc/valet/valet.conf"
    assert settings["lazy-apps"] == "true"     # one app per process, after the fork

    url = f"sqlite:///{tmp_path}/valet.sqlite"
    migrate.upgrade(url)
    conf = tmp_path / "valet.conf"
    conf.write_text(f"[database]\nconnection = {url}\n")
    # The ini's variable, pointing at this test's file instead of /etc.
    monkeypatch.setenv(variable, str(conf))
    sys.modules.pop(module_name, None)
    application = getattr(importlib.import_module(module_name), attribute)
    try:
        client = webtest.TestApp(application)
        answer = client.get("/")
        assert answer.status_int == 200
        assert answer.json["versions"][0]["id"] == "v1.0"
        assert client.get("/v1/status").json["status"]["database"]["state"] == "ok"
        assert application.store.url == url
    finally:
        application.store.close()
        sys.modules.pop(module_name, None)


def test_systemd_unit_starts_valet_api_with_the_config_file():
    lines = (DEPLOY / "valet-api.service").read_text().splitlines()
    start = next(line for line in lines if line.startswith("ExecStart="))
    program, *arguments = shlex.split(start.removeprefix("ExecStart="))
    scripts = {entry.name for entry in importlib.metadata.entry_points(group="console_scripts")}
    assert pathlib.Path(program).name == "valet-api" and "valet-api" in scripts
    assert arguments == ["--config-file", "/etc/valet/valet.conf"]


def test_apache_vhost_aliases_the_packages_wsgi_file():
    text = (DEPLOY / "valet-api-apache.conf").read_text()
    alias = next(line.split() for line in text.splitlines()
                 if line.strip().startswith("WSGIScriptAlias"))
    assert alias[1] == "/" and alias[2].endswith("valet_api/wsgi.py")
    package = pathlib.Path(importlib.import_module("valet_api").__file__).parent
    assert (package / "wsgi.py").exists()
    assert "WSGIApplicationGroup %{GLOBAL}" in text


def test_nginx_proxies_to_valet_apis_default_port():
    text = (DEPLOY / "valet-api-nginx.conf").read_text()
    assert "server 127.0.0.1:8090;" in text
    assert "proxy_pass http://valet_api;" in text
