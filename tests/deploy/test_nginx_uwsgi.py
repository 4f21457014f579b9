"""etc/valet/deploy/valet-api-uwsgi.ini in Debian's uwsgi (python3 plugin)
behind etc/valet/deploy/valet-api-nginx.conf in a real nginx, with TLS: the
samples as shipped, with only /opt/valet, /etc/valet, /var/lib/valet,
/var/log/valet, the certificate's paths and the ports (on 127.0.0.1)
substituted.  The certificate is a throwaway self-signed one for
127.0.0.1, which the client verifies."""

import time

import pytest

from tests.deploy import servers


def main_config(site):
    """What Debian's nginx.conf gives a site (a worker user, an http block
    that includes it), every path under ``site``."""
    temp = site.root / "nginx-temp"
    return f"""
user www-data;
worker_processes 1;
pid {site.root}/nginx.pid;
error_log {site.root}/nginx-error.log;
events {{}}
http {{
    access_log {site.root}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site.root}/valet-api-nginx.conf;
}}
"""


def certificate(site):
    """A key and a self-signed certificate for 127.0.0.1 (the key root's only)."""
    key, cert = site.root / "valet.key", site.root / "valet.pem"
    servers.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=valet.example.com", "-keyout", str(key), "-out", str(cert),
                 "-addext", "subjectAltName=DNS:valet.example.com,IP:127.0.0.1"])
    key.chmod(0o600)
    return key, cert


@pytest.fixture(scope="module")
def site(deploy_venv):
    with servers.Site(deploy_venv) as site:
        site.api_port, site.tls_port = servers.free_port(), servers.free_port()
        site.uwsgi_ini = site.write("valet-api-uwsgi.ini", servers.sample("valet-api-uwsgi.ini", {
            "/opt/valet": str(deploy_venv),
            "/etc/valet/valet.conf": str(site.conf),
            "/var/lib/valet": str(site.state),
            "/var/log/valet": str(site.logs),
            "127.0.0.1:8090": f"127.0.0.1:{site.api_port}",
        }))
        site.key, site.cert = certificate(site)
        site.write("valet-api-nginx.conf", servers.sample("valet-api-nginx.conf", {
            "127.0.0.1:8090": f"127.0.0.1:{site.api_port}",
            "listen 443 ssl;": f"listen 127.0.0.1:{site.tls_port} ssl;",
            "/etc/ssl/certs/valet.example.com.pem": str(site.cert),
            "/etc/ssl/private/valet.example.com.key": str(site.key),
        }))
        site.directory("nginx-temp")
        site.nginx_conf = site.write("nginx.conf", main_config(site))
        yield site


def wait_for_workers(log, server, count, timeout=60):
    """Once ``count`` workers have logged their app ready."""
    deadline = time.monotonic() + timeout
    ready_line = "WSGI app 0 (mountpoint='') ready in"
    while (ready := log.read_text(errors="replace").count(ready_line)) < count:
        assert server.process.poll() is None, server.tail(log)
        assert time.monotonic() < deadline, f"{ready} of {count} workers ready\n" + server.tail(log)
        time.sleep(0.2)


@pytest.fixture(scope="module")
def uwsgi(site):
    server = servers.Server(["uwsgi", "--ini", site.uwsgi_ini], site.root / "uwsgi.out")
    log = site.logs / "valet-api-uwsgi.log"
    try:
        servers.wait_for(f"http://127.0.0.1:{site.api_port}/", server, [log])
        # NOTE: with lazy-apps the first worker can answer while the second
        # still imports the app; a SIGTERM then interrupts that import and
        # need-app makes uwsgi exit 22.  The tests start from both ready.
        wait_for_workers(log, server, 2)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def nginx(site, uwsgi):
    # NOTE: -e: nginx opens its error log before it reads -c; -g: stay in the
    # foreground, a child of this test.
    server = servers.Server(["nginx", "-e", site.root / "nginx-error.log", "-c", site.nginx_conf,
                             "-g", "daemon off;"], site.root / "nginx.out")
    url = f"https://127.0.0.1:{site.tls_port}"
    try:
        servers.wait_for(f"{url}/", server, [site.root / "nginx-error.log"], cafile=site.cert)
        yield server, url
    finally:
        server.stop()


def test_nginx_accepts_the_site(site):
    checked = servers.run(["nginx", "-t", "-e", str(site.root / "nginx-error.log"),
                           "-c", str(site.nginx_conf)])
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_the_api_answers_over_tls_through_nginx_and_uwsgi(site, nginx):
    server, url = nginx
    status, headers, body = servers.fetch(f"{url}/v1/status", cafile=site.cert)
    assert status == 200 and headers["Server"].startswith("nginx")
    assert body["status"]["database"] == {"state": "ok", "backend": "sqlite", "generation": 0}
    # The request reached uwsgi, which logs it where the ini says, as valet's file.
    log = site.logs / "valet-api-uwsgi.log"
    servers.wait_for_text(log, "GET /v1/status => generated")
    assert log.owner() == "valet"


def test_the_apps_log_lines_are_in_log_dir(site, nginx):
    server, url = nginx
    status, headers, _ = servers.fetch(f"{url}/v1/groups/no-such-group", cafile=site.cert)
    assert status == 404
    # valet.conf's log_dir: the app's own file, named after the WSGI script.
    log = site.logs / "valet-api-wsgi.log"
    line = servers.wait_for_text(log, "GET /v1/groups/no-such-group: 404").splitlines()[-1]
    assert headers["X-OpenStack-Request-Id"] in line
    assert log.owner() == "valet"


def test_links_are_https_behind_nginx(site, nginx):
    server, url = nginx
    status, _, body = servers.fetch(f"{url}/", cafile=site.cert)
    assert status == 200
    assert body["versions"][0]["links"][0]["href"] == f"{url}/v1/"


def test_uwsgi_serves_from_the_venv_as_valet(site, uwsgi):
    owners = uwsgi.owners()
    # The master and its two workers, all after dropping root.
    assert sorted(owners.values()) == ["valet"] * 3, owners
    output = (site.logs / "valet-api-uwsgi.log").read_text()
    assert f"PEP 405 virtualenv detected: {site.venv}" in output


def test_sigterm_stops_nginx_and_uwsgi_leaving_nothing_running(nginx, uwsgi):
    # NOTE: last in the module; the fixtures' own stops are then no-ops.
    nginx_server, _ = nginx
    assert nginx_server.stop(timeout=15) == 0
    # die-on-term: SIGTERM is a stop, as systemd means it, not a reload.
    assert uwsgi.stop(timeout=70) == 0
