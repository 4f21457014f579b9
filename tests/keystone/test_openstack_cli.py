"""``openstack valet ...`` (and the standalone ``valet``) through a real
Keystone, as a cloud's admins and users run them: ``OS_*`` variables (or
a clouds.yaml entry), a token from Keystone's password authentication, and
Valet found in the service catalog (service type ``valet``, registered
here in a region of its own) of a real valet-api in keystone mode."""

import pytest
import yaml

from tests.cli.runner import Cli, clean_environment
from tests.keystone.conftest import PASSWORD, PEOPLE, Identity, write_conf
from tests.keystone.server import ADMIN_PASSWORD
from tests.support.live_server import call, free_port, serving

#: NOTE: other tests register Valet endpoints of their own (in RegionOne);
#: this region holds only this module's.
REGION = "RegionValetCLI"
TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "web1": {"type": "OS::Nova::Server", "properties": {"flavor": "small"}},
        "web2": {"type": "OS::Nova::Server", "properties": {"flavor": "small"}},
        "apart": {"type": "OS::Valet::GroupAssignment", "properties": {
            "group_type": "diversity", "level": "rack",
            "resources": [{"get_resource": "web1"}, {"get_resource": "web2"}]}},
    },
}


@pytest.fixture(scope="module")
def valet_url(cloud, tmp_path_factory):
    """A real valet-api in keystone mode, in the catalog as service ``valet``."""
    directory = tmp_path_factory.mktemp("valet-cli")
    port = free_port()
    conf = write_conf(directory, cloud.url, host="127.0.0.1", port=port, workers=1)
    with serving(directory, conf, port) as base:
        identity = Identity(cloud.url)
        identity.create("regions", "region", id=REGION)
        service = identity.create("services", "service", type="valet", name="valet-cli")
        identity.create("endpoints", "endpoint", service_id=service, interface="public",
                        url=base, region_id=REGION)
        yield base


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


def credentials(cloud, person):
    """What ``openrc`` sets for ``person``: ``OS_*`` of Keystone v3."""
    if person == "admin":
        user, password, project = "admin", ADMIN_PASSWORD, "admin"
    else:
        user, password, project = person, PASSWORD, PEOPLE[person][0]
    return {"OS_AUTH_URL": cloud.url, "OS_USERNAME": user, "OS_PASSWORD": password,
            "OS_PROJECT_NAME": project, "OS_USER_DOMAIN_ID": "default",
            "OS_PROJECT_DOMAIN_ID": "default", "OS_IDENTITY_API_VERSION": "3",
            "OS_REGION_NAME": REGION, "OS_INTERFACE": "public"}


def openstack(cloud, home, person, *words, front="openstack"):
    # NOTE: no --os-valet-url: the catalog says where Valet is.
    return Cli("", home).run(*words, front=front, options=[],
                             env=clean_environment(home, **credentials(cloud, person)))


def test_an_admin_creates_a_group_and_a_reader_lists_it(cloud, valet_url, home):
    made = openstack(cloud, home, "admin", "group", "create", "cli-web", "diversity",
                     "--level", "rack", "--member", cloud.projects["valet-a"], "-f", "json")
    assert made.returncode == 0, made
    status, body = call(valet_url, "GET", "/v1/groups/cli-web", headers=cloud.headers("admin"))
    assert status == 200 and body["group"]["members"] == [cloud.projects["valet-a"]]
    listed = openstack(cloud, home, "reader-a", "group", "list", "-f", "json")
    assert listed.returncode == 0, listed
    [group] = [group for group in listed.json if group["name"] == "cli-web"]
    assert (group["type"], group["level"]) == ("diversity", "rack")
    # Member projects are for admins: a reader is not shown them (no column,
    # rather than an empty one that would read as "any project").
    assert "members" not in group
    status, body = call(valet_url, "GET", "/v1/groups", headers=cloud.headers("reader-a"))
    [answer] = [group for group in body["groups"] if group["name"] == "cli-web"]
    assert group == answer


def test_a_dry_run_from_a_template_shows_hosts_to_an_admin_only(cloud, valet_url, home):
    template = home / "web.yaml"
    template.write_text(yaml.safe_dump(TEMPLATE))
    seen = {}
    for person in ("admin", "member-a"):
        shown = openstack(cloud, home, person, "plan", "create", "--template", template,
                          "--dry-run", "-f", "json")
        assert shown.returncode == 0, shown
        seen[person] = {row["server"]: row for row in shown.json}
    assert set(seen["admin"]) == set(seen["member-a"]) == {"web1", "web2"}
    assert seen["admin"]["web1"]["rack"] != seen["admin"]["web2"]["rack"]
    assert all(row["host"] and row["groups"] == ["apart"] for row in seen["admin"].values())
    assert all(row["host"] == "" and row["rack"] == "" for row in seen["member-a"].values())
    status, body = call(valet_url, "GET", "/v1/plans", headers=cloud.headers("admin"))
    assert body["plans"] == []


def test_violations_are_for_admins(cloud, valet_url, home):
    listed = openstack(cloud, home, "admin", "violation", "list", "-f", "json")
    assert (listed.returncode, listed.json) == (0, [])
    refused = openstack(cloud, home, "reader-a", "violation", "list")
    assert refused.returncode == 1
    assert "policy valet:resources:list does not allow this request (HTTP 403" \
        in refused.stderr


def test_a_reader_is_refused_with_valets_reason(cloud, valet_url, home):
    refused = openstack(cloud, home, "reader-a", "group", "create", "cli-nope", "affinity")
    assert refused.returncode == 1
    assert "policy valet:groups:create does not allow this request (HTTP 403 Forbidden)" \
        in refused.stderr
    status, _ = call(valet_url, "GET", "/v1/groups/cli-nope", headers=cloud.headers("admin"))
    assert status == 404


def test_the_standalone_valet_reads_os_variables_and_clouds_yaml(cloud, valet_url, home):
    shown = openstack(cloud, home, "admin", "status", "-f", "json", front="valet")
    assert shown.returncode == 0, shown
    assert shown.json["database"]["state"] == "ok"
    status, _ = call(valet_url, "POST", "/v1/groups", {
        "name": "cli-cloud", "type": "affinity", "level": "host"}, headers=cloud.headers("admin"))
    assert status == 201
    settings = credentials(cloud, "member-a")
    clouds = {"clouds": {"valet-test": {
        "auth": {"auth_url": cloud.url, "username": "member-a", "password": PASSWORD,
                 "project_name": "valet-a", "user_domain_id": "default",
                 "project_domain_id": "default"},
        "identity_api_version": 3, "region_name": settings["OS_REGION_NAME"],
        "interface": "public"}}}
    (home / ".config" / "openstack").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "openstack" / "clouds.yaml").write_text(yaml.safe_dump(clouds))
    listed = Cli("", home).run("group", "list", "-f", "json", options=["--os-cloud", "valet-test"],
                               env=clean_environment(home))
    assert listed.returncode == 0, listed
    status, body = call(valet_url, "GET", "/v1/groups", headers=cloud.headers("member-a"))
    assert [group["name"] for group in listed.json] \
        == sorted(group["name"] for group in body["groups"])
    assert "cli-cloud" in [group["name"] for group in listed.json]


def test_a_valet_url_with_credentials_still_sends_the_token(cloud, valet_url, home):
    # Keystone mode behind --os-valet-url: the catalog is skipped, not the token
    # (without one, valet-api answers 401).
    env = clean_environment(home, **credentials(cloud, "reader-a"))
    shown = Cli(valet_url, home).run("status", "-f", "json", front="openstack", env=env)
    assert shown.returncode == 0, shown
    assert shown.json["engine"]["state"] == "ok"
    assert call(valet_url, "GET", "/v1/status")[0] == 401
