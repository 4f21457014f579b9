"""Both front-ends offer the same commands: ``openstack valet X`` exists
exactly when ``valet X`` does (they load one entry-point group)."""

import re

from tests.cli.runner import Cli

EVERY_COMMAND = {
    "group create", "group list", "group show", "group set", "group delete",
    "group member add", "group member remove", "group member list",
    "plan create", "plan list", "plan show", "plan update", "plan migrate", "plan delete",
    "placement list", "placement show", "placement reserve", "placement replan",
    "host list", "host show", "violation list", "status",
    # The original Valet CLI's spellings.
    "group update", "group update-member", "group delete-member", "group delete-all-members",
}


def test_valet_and_openstack_valet_have_the_same_commands(tmp_path):
    cli = Cli("http://127.0.0.1:9", tmp_path)     # no server is asked
    groups = cli.json("command", "list", "--group", "placement_optimizer", front="openstack",
                      options=[], plugin=False)
    [osc] = [group["Commands"] for group in groups
             if group["Command Group"] == "openstack.placement_optimizer.v1"]
    assert {name.removeprefix("valet ") for name in osc} == EVERY_COMMAND
    shown = cli.run("--help", options=[])
    assert shown.returncode == 0, shown
    listed = shown.stdout.split("\nCommands:\n", 1)[1]
    standalone = {re.split(r"\s{2,}", line.strip())[0] for line in listed.splitlines()}
    assert standalone - {"help", "complete"} == EVERY_COMMAND


def test_valet_without_a_url_or_credentials_says_what_to_set(tmp_path):
    stderr = Cli("", tmp_path).refused("group", "list", options=[])
    assert "Set VALET_URL (or --os-valet-url) for a noauth Valet" in stderr
