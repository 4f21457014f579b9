"""``/dashboard`` as HTTP (no browser): what is served, with which headers,
and that the wheel ships it (setup.cfg's package data)."""

import configparser
import fnmatch
import html.parser
import pathlib

import pytest
import webtest

from valet_api import app as valet_app
from valet_api import dashboard

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "valet_api"


def make_app(tmp_path, enabled):
    conf = valet_app.default_conf(config_files=[])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'valet.sqlite'}", "database")
    conf.set_override("dashboard", enabled, "api")
    return valet_app.setup_app(conf=conf)


@pytest.fixture
def client(tmp_path):
    app = make_app(tmp_path, True)
    try:
        yield webtest.TestApp(app)
    finally:
        app.store.close()


def test_the_page_and_its_files_with_their_content_types(client):
    page = client.get("/dashboard")
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert page.body == (PACKAGE / "dashboard" / "index.html").read_bytes()
    expected = {".js": "text/javascript; charset=UTF-8", ".css": "text/css; charset=UTF-8",
                ".svg": "image/svg+xml"}
    served = sorted(dashboard.static_files())
    assert {"app.js", "style.css", "vendor/d3-selection.min.js"} <= set(served)
    for name in served:
        answer = client.get(f"/dashboard/static/{name}")
        assert answer.headers["Content-Type"] == expected[pathlib.PurePath(name).suffix]
        assert answer.body == (dashboard.STATIC / name).read_bytes()


def test_every_answer_carries_the_strict_policy(client):
    answers = [client.get("/dashboard"), client.get("/dashboard/static/app.js"),
               client.get("/dashboard/", status=301), client.get("/dashboard/nope", status=404),
               client.options("/dashboard", status=204)]
    for answer in answers:
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "default-src 'none'" in policy
        assert "unsafe" not in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


class Page(html.parser.HTMLParser):
    """The page's script and style elements and style attributes."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline, self.styled = [], [], []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes.get("src"))
            self.in_script = True
        if tag == "style":
            self.inline.append("<style>")
        if "style" in attributes or any(name.startswith("on") for name in attributes):
            self.styled.append((tag, attributes))

    def handle_endtag(self, tag):
        self.in_script = self.in_script and tag != "script"

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.inline.append(data)


def test_the_page_has_no_inline_script_or_style():
    parsed = Page()
    parsed.feed((PACKAGE / "dashboard" / "index.html").read_text())
    assert parsed.inline == [] and parsed.styled == []
    assert parsed.scripts and all(src.startswith("dashboard/static/") for src in parsed.scripts)
    served = dashboard.static_files()
    assert all(src.removeprefix("dashboard/static/") in served for src in parsed.scripts)


def test_a_trailing_slash_redirects_to_the_page(client):
    answer = client.get("/dashboard/", status=301)
    assert answer.headers["Location"] == "http://localhost/dashboard"


@pytest.mark.parametrize("path", ["/dashboard/static/vendor/README.md",
                                  "/dashboard/static/vendor/d3-color.LICENSE",
                                  "/dashboard/static/../index.html",
                                  "/dashboard/static/%2e%2e/__init__.py",
                                  "/dashboard/index.html", "/dashboard/static/"])
def test_only_the_pages_files_are_served(client, path):
    answer = client.get(path, status=404)
    assert answer.json["error"]["type"] == "NotFound"


def test_options_and_405(client):
    assert client.options("/dashboard", status=204).headers["Allow"] == "GET, HEAD, OPTIONS"
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        refused = client.request("/dashboard", method=method, status=405)
        assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert refused.json["error"]["type"] == "MethodNotAllowed"
    assert client.head("/dashboard").body == b""


def test_off_by_default_and_then_404(tmp_path):
    conf = valet_app.default_conf(config_files=[])
    assert conf.api.dashboard is False
    app = make_app(tmp_path, False)
    try:
        client = webtest.TestApp(app)
        for path in ("/dashboard", "/dashboard/static/app.js"):
            assert client.get(path, status=404).json["error"]["type"] == "NotFound"
    finally:
        app.store.close()


def test_make_run_has_it():
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(ROOT / "etc" / "valet" / "valet.conf")
    assert conf.getboolean("api", "dashboard") is True


def test_setup_cfg_ships_every_file_the_dashboard_serves():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "setup.cfg")
    patterns = [line.strip() for line in parser["options.package_data"]["valet_api"].splitlines()
                if line.strip()]
    needed = ["dashboard/index.html"] + [f"dashboard/static/{name}"
                                         for name in dashboard.static_files()]
    # setuptools' globs: '*' stays within one directory.
    unshipped = [path for path in needed
                 if not any(fnmatch.fnmatch(path, pattern)
                            and path.count("/") == pattern.count("/") for pattern in patterns)]
    assert unshipped == []


def test_every_vendored_library_has_its_licence_and_a_line_in_the_readme():
    vendor = dashboard.STATIC / "vendor"
    readme = (vendor / "README.md").read_text()
    libraries = sorted(vendor.glob("*.min.js"))
    assert libraries
    for library in libraries:
        name = library.name.removesuffix(".min.js")
        assert (vendor / f"{name}.LICENSE").read_text().startswith("Copyright")
        assert f"| `{library.name}` | [{name}]" in readme
