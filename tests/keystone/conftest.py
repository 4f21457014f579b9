"""One real Keystone for the session, with the people the auth tests need.

A missing Keystone is a failure, not a skip (as for PostgreSQL): ``make
keystone`` installs it and runs these tests; a skipped auth test would hide
a hole.  The people, created over Keystone's own API as its admin:

* ``reader-a``: role ``reader`` in project A (and nothing implied);
* ``member-a``: ``member`` in project A (implies ``reader``);
* ``member-b``: ``member`` in project B;
* ``nova``: role ``service`` in project ``service`` (Nova's filter, Heat);
* ``admin``: the bootstrap admin, also Valet's own service user in
  ``[keystone_authtoken]``.
"""

import dataclasses
import time

import pytest
from keystoneauth1 import session
from keystoneauth1.identity import v3

from ostro.state import migrate
from tests.api import conformance, engine_cases
from tests.keystone.server import ADMIN_PASSWORD, KeystoneServer, ServerError
from tests.support import live_server
from valet_api import app as valet_app

TIMINGS = pytest.StashKey[dict]()
PASSWORD = "valet-test-password"


def pytest_terminal_summary(terminalreporter, config):
    timings = config.stash.get(TIMINGS, None)
    if timings:
        terminalreporter.write_line("Keystone server: " + ", ".join(
            f"{step} {seconds:.2f} s" for step, seconds in timings.items()))


def password_session(url, user, password, project):
    auth = v3.Password(auth_url=url, username=user, password=password, project_name=project,
                       user_domain_id="default", project_domain_id="default")
    return session.Session(auth=auth)


@dataclasses.dataclass
class Cloud:
    """The running Keystone, its projects' ids and a token per person."""

    url: str
    projects: dict          # name -> id
    tokens: dict            # person -> token

    def headers(self, person):
        return {"X-Auth-Token": self.tokens[person]}


class Identity:
    """Keystone's v3 API as its admin (creating projects, users, roles)."""

    def __init__(self, url):
        self.url = url
        self.session = password_session(url, "admin", ADMIN_PASSWORD, "admin")

    def create(self, collection, kind, **fields):
        response = self.session.post(f"{self.url}/{collection}", json={kind: fields})
        return response.json()[kind]["id"]

    def role(self, name):
        found = self.session.get(f"{self.url}/roles", params={"name": name}).json()["roles"]
        return found[0]["id"] if found else self.create("roles", "role", name=name)

    def project(self, name):
        found = self.session.get(f"{self.url}/projects", params={"name": name}).json()
        if found["projects"]:
            return found["projects"][0]["id"]
        return self.create("projects", "project", name=name, domain_id="default")

    def person(self, name, project_id, role):
        user_id = self.create("users", "user", name=name, password=PASSWORD,
                              domain_id="default")
        self.session.put(f"{self.url}/projects/{project_id}/users/{user_id}/roles/"
                         f"{self.role(role)}")


PEOPLE = {"reader-a": ("valet-a", "reader"), "member-a": ("valet-a", "member"),
          "member-b": ("valet-b", "member"), "nova": ("service", "service")}


@pytest.fixture(scope="session")
def cloud(pytestconfig):
    try:
        server = KeystoneServer()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        try:
            server.start()
        except ServerError as exc:
            pytest.fail(f"could not start Keystone: {exc}", pytrace=False)
        started = time.monotonic()
        identity = Identity(server.url)
        projects = {name: identity.project(name) for name in ("valet-a", "valet-b", "service")}
        for person, (project, role) in PEOPLE.items():
            identity.person(person, projects[project], role)
        tokens = {person: password_session(server.url, person, PASSWORD, project).get_token()
                  for person, (project, _) in PEOPLE.items()}
        tokens["admin"] = identity.session.get_token()
        server.timings["people"] = time.monotonic() - started
        yield Cloud(server.url, projects, tokens)
    finally:
        server.stop()
        pytestconfig.stash[TIMINGS] = server.timings


def write_conf(directory, keystone_url, **api):
    """A valet.conf in keystone mode; Valet's own service user is Keystone's admin."""
    (directory / "state").mkdir(exist_ok=True)
    inventory = engine_cases.write_inventory(directory)
    return live_server.write_groups(directory / "valet.conf", {
        "DEFAULT": {"state_path": directory / "state"},
        "api": {"auth_strategy": "keystone", **api},
        "database": {"connection": f"sqlite:///{directory}/state/valet.sqlite"},
        "engine": {"solver_time_budget": 0.2},
        "inventory": {"file": inventory},
        "keystone_authtoken": {
            "www_authenticate_uri": keystone_url, "auth_url": keystone_url,
            "auth_type": "password", "username": "admin", "password": ADMIN_PASSWORD,
            "project_name": "admin", "user_domain_id": "default",
            "project_domain_id": "default", "interface": "public"},
    })


@pytest.fixture(scope="module")
def valet(cloud, tmp_path_factory):
    """The app (behind auth_token) under webtest, one database for the module."""
    directory = tmp_path_factory.mktemp("valet")
    conf = valet_app.default_conf(config_files=[str(write_conf(directory, cloud.url))])
    migrate.upgrade(conf.database.connection)
    app = valet_app.setup_app(conf=conf)
    try:
        # NOTE: every answer held to the API reference (tests/api/conformance.py),
        # Keystone's 401s and the policy's 403s included.
        yield conformance.CheckedApp(app)
    finally:
        app.store.close()
