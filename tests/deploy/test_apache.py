"""etc/valet/deploy/valet-api-apache.conf in a real apache2 with Debian's
mod_wsgi: the site as shipped, with only /opt/valet (the deploy venv), the
state directory and the port (on 127.0.0.1) substituted, Included from a
minimal server config of this test's own (nothing of /etc/apache2 is read)."""

import pytest

from tests.deploy import servers

MODULES = "/usr/lib/apache2/modules"


def server_config(site, port):
    """What Debian's apache2.conf and envvars give a site (the modules it
    needs, APACHE_LOG_DIR, the `combined` format), every path under ``site``."""
    return f"""
ServerRoot {site.root}
ServerName 127.0.0.1
PidFile {site.root}/apache2.pid
DefaultRuntimeDir {site.root}
Mutex file:{site.root} default
ErrorLog {site.root}/error.log
User www-data
Group www-data
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule wsgi_module {MODULES}/mod_wsgi.so
WSGISocketPrefix {site.root}/wsgi
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
Define APACHE_LOG_DIR {site.logs}
Include {site.root}/valet-api.conf
"""


@pytest.fixture(scope="module")
def apache(deploy_venv):
    """The configured site: ``(site, port, server config path)``."""
    with servers.Site(deploy_venv) as site:
        # NOTE: no log_dir here (test_nginx_uwsgi.py has one): the app's lines
        # then go to the vhost's error log.
        site.conf = site.config("valet-api-apache.valet.conf", DEFAULT={"log_dir": None})
        port = servers.free_port()
        site.write("valet-api.conf", servers.sample("valet-api-apache.conf", {
            "/opt/valet": str(deploy_venv),
            "/var/lib/valet": str(site.state),
            "Listen 8090": f"Listen 127.0.0.1:{port}",
            "*:8090": f"127.0.0.1:{port}",
        }))
        # NOTE: Apache writes its logs as root; www-data and valet only read here.
        site.logs.chmod(0o755)
        config = site.write("apache2.conf", server_config(site, port))
        yield site, port, config


@pytest.fixture(scope="module")
def running(apache):
    site, port, config = apache
    # NOTE: mod_wsgi's daemon processes inherit Apache's environment, where
    # valet_api.wsgi reads VALET_CONFIG_FILE (on Debian: /etc/apache2/envvars).
    server = servers.Server(["apache2", "-f", config, "-DFOREGROUND"], site.root / "apache2.out",
                            env={"VALET_CONFIG_FILE": str(site.conf)})
    logs = (site.root / "error.log", site.logs / "valet-api-error.log")
    try:
        servers.wait_for(f"http://127.0.0.1:{port}/", server, logs)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_apachectl_accepts_the_site(apache):
    site, _, config = apache
    checked = servers.run(["apachectl", "-t", "-f", str(config)])
    assert "Syntax OK" in checked.stderr


def test_the_site_serves_the_api_from_the_venv(running, apache):
    server, url = running
    site = apache[0]
    status, headers, body = servers.fetch(f"{url}/")
    assert status == 200, server.tail(site.logs / "valet-api-error.log")
    assert "mod_wsgi" in headers["Server"]
    assert body["versions"][0]["links"][0]["href"] == f"{url}/v1/"
    status, _, body = servers.fetch(f"{url}/v1/status")
    assert status == 200
    # The schema valet-db-manage made, in the file valet.conf names.
    assert body["status"]["database"] == {"state": "ok", "backend": "sqlite", "generation": 0}
    servers.wait_for_text(site.logs / "valet-api-access.log", '"GET /v1/status HTTP/1.1" 200')


def test_the_apps_log_lines_are_in_the_sites_error_log(running, apache):
    server, url = running
    site = apache[0]
    status, headers, _ = servers.fetch(f"{url}/v1/groups/no-such-group")
    assert status == 404
    # The app's own line (with its request id), from the daemon process.
    line = servers.wait_for_text(site.logs / "valet-api-error.log",
                                 "GET /v1/groups/no-such-group: 404").splitlines()[-1]
    assert headers["X-OpenStack-Request-Id"] in line


def test_the_app_runs_in_two_daemon_processes_as_valet(running):
    server, url = running
    owners = server.owners()
    # Apache's parent stays root, its workers www-data; the app is valet's.
    assert list(owners.values()).count("valet") == 2, owners
    assert owners[server.pid] == "root"


def test_links_follow_x_forwarded_proto_behind_a_tls_proxy(running):
    server, url = running
    status, _, body = servers.fetch(f"{url}/", headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    href = body["versions"][0]["links"][0]["href"]
    assert href == f"{url.replace('http://', 'https://')}/v1/"


def test_sigterm_stops_apache_and_its_daemon_processes(running):
    # NOTE: last in the module; the fixture's own stop is then a no-op.
    server, url = running
    assert len(server.members()) > 2
    server.stop(timeout=15)
    assert server.members() == []
