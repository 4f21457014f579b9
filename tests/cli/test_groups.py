"""``valet group ...`` and ``openstack valet group ...`` against a real
valet-api: what each command prints, what it changed (read back over
HTTP, not through the CLI), and Valet's reason with a non-zero exit on
every refusal.  The two front-ends run the same command classes; the
tests alternate between them (a process costs about a second)."""

from tests.support.live_server import call


def group_of(cli, name):
    status, body = call(cli.base, "GET", f"/v1/groups/{name}")
    return body["group"] if status == 200 else None


def new_group(cli, name, kind="affinity", level="host", members=()):
    status, body = call(cli.base, "POST", "/v1/groups", {
        "name": name, "type": kind, "level": level, "members": list(members)})
    assert status == 201, body
    return body


def test_a_group_from_create_to_delete(cli):
    created = cli.json("group", "create", "web", "diversity", "--level", "rack",
                       "--desc", "web apart", front="openstack")
    assert created == {"id": created["id"], "name": "web", "type": "diversity",
                       "level": "rack", "description": "web apart", "max_per_domain": 1,
                       "enforcement": "hard", "members": []}
    assert group_of(cli, "web") == created
    listed = cli.json("group", "list")
    assert [group for group in listed if group["name"] == "web"] == [created]
    level = cli.run("group", "show", created["id"], "-f", "value", "-c", "level",
                    front="openstack")
    assert (level.returncode, level.stdout) == (0, "rack\n")
    assert cli.run("group", "set", "web", "--description", "racks apart").returncode == 0
    assert group_of(cli, "web")["description"] == "racks apart"
    assert cli.run("group", "delete", "web", front="openstack").returncode == 0
    assert group_of(cli, "web") is None


def test_a_diversity_group_takes_max_per_domain(cli):
    created = cli.json("group", "create", "pool", "diversity", "--max-per-domain", "3")
    assert created["max_per_domain"] == 3
    assert group_of(cli, "pool")["max_per_domain"] == 3
    refused = cli.run("group", "create", "tight", "affinity", "--max-per-domain", "2")
    assert refused.returncode != 0 and "max_per_domain" in refused.stderr
    assert group_of(cli, "tight") is None


def test_a_soft_group(cli):
    created = cli.json("group", "create", "spread", "diversity", "--soft")
    assert created["enforcement"] == "soft"
    assert group_of(cli, "spread")["enforcement"] == "soft"
    refused = cli.run("group", "create", "alone", "exclusivity", "--soft")
    assert refused.returncode != 0 and "enforcement" in refused.stderr
    assert group_of(cli, "alone") is None


def test_the_table_shows_the_group(cli):
    new_group(cli, "db-ex", "exclusivity", "cluster")
    table = cli.run("group", "show", "db-ex").stdout
    assert "| type           | exclusivity" in table
    assert "| level          | cluster" in table
    assert "| max_per_domain | 1" in table


def test_members_are_added_listed_and_removed(cli):
    new_group(cli, "members", members=["project-a"])
    assert cli.run("group", "member", "add", "members", "project-b",
                   "project-c").returncode == 0
    assert group_of(cli, "members")["members"] == ["project-a", "project-b", "project-c"]
    listed = cli.run("group", "member", "list", "members", "-f", "value", front="openstack")
    assert listed.table() == [["project-a"], ["project-b"], ["project-c"]]
    assert cli.run("group", "member", "remove", "members", "project-a",
                   "project-c").returncode == 0
    assert group_of(cli, "members")["members"] == ["project-b"]


def test_the_original_clis_command_lines(cli):
    # valet group create NAME TYPE [--description D]: the level defaults to host.
    made = cli.json("group", "create", "legacy", "exclusivity", "--description", "old")
    assert (made["type"], made["level"], made["description"]) == ("exclusivity", "host", "old")
    assert cli.run("group", "update", "legacy", "--description", "new").returncode == 0
    assert group_of(cli, "legacy")["description"] == "new"
    assert cli.run("group", "update-member", made["id"], "project-x",
                   "project-y").returncode == 0
    assert cli.run("group", "delete-member", "legacy", "project-x").returncode == 0
    assert group_of(cli, "legacy")["members"] == ["project-y"]
    assert cli.run("group", "delete-all-members", "legacy").returncode == 0
    assert group_of(cli, "legacy")["members"] == []
    assert cli.run("group", "delete", made["id"]).returncode == 0
    assert group_of(cli, "legacy") is None


def test_refusals_say_valets_reason(cli):
    new_group(cli, "taken", members=["project-a"])
    stderr = cli.refused("group", "create", "taken", "diversity", front="openstack")
    assert "a group named 'taken' already exists (HTTP 409" in stderr
    stderr = cli.refused("group", "delete", "taken")
    assert "(HTTP 409" in stderr and "member" in stderr
    assert group_of(cli, "taken") is not None
    stderr = cli.refused("group", "show", "no-such-group", front="openstack")
    assert "no-such-group" in stderr and "(HTTP 404 NotFound)" in stderr


def test_arguments_valet_cannot_take_are_refused_before_asking(cli):
    result = cli.run("group", "create", "bad", "friendship")
    assert result.returncode == 2 and "invalid choice: 'friendship'" in result.stderr
    assert group_of(cli, "bad") is None
    new_group(cli, "unchanged")
    assert "give --description" in cli.refused("group", "set", "unchanged", front="openstack")
