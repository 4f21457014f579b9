"""etc/valet/deploy/logrotate-valet with the real logrotate: the file as
shipped in debug mode, then forced rotations of a copy whose only change is
/var/log/valet -> a directory of valet's, while a writer keeps the log open
as the services do."""

import gzip
import os

import pytest

from tests.deploy import servers


@pytest.fixture
def site(deploy_venv):
    with servers.Site(deploy_venv) as site:
        yield site


def test_logrotate_reads_the_shipped_file(site):
    checked = servers.run(["logrotate", "-d", "-s", str(site.root / "logrotate.status"),
                           str(servers.DEPLOY / "logrotate-valet")])
    output = checked.stdout + checked.stderr
    assert "error" not in output.lower(), output
    assert "rotating pattern: /var/log/valet/*.log" in output
    # It works in valet's directory as valet (the su line), not as root.
    assert f"to {site.account.pw_uid} and egid from 0 to {site.account.pw_gid}" in output


def rotate(site, config):
    servers.run(["logrotate", "-f", "-s", str(site.root / "logrotate.status"), str(config)])


def test_a_forced_rotation_keeps_the_open_log_in_use(site):
    config = site.write("logrotate-valet", servers.sample(
        "logrotate-valet", {"/var/log/valet/": f"{site.logs}/"}))
    log = site.logs / "valet-api.log"
    log.write_text("")
    os.chown(log, site.account.pw_uid, site.account.pw_gid)
    # Append mode, as oslo.log's file handler and uwsgi's logto open it.
    with open(log, "a", buffering=1) as writer:
        writer.write("first week\n")
        rotate(site, config)
        assert (site.logs / "valet-api.log.1").read_text() == "first week\n"
        assert log.stat().st_size == 0
        # The writer, never told, goes on at the start of the same file.
        writer.write("second week\n")
        assert log.read_text() == "second week\n"

        rotate(site, config)
        assert (site.logs / "valet-api.log.1").read_text() == "second week\n"
        with gzip.open(site.logs / "valet-api.log.2.gz", "rt") as older:
            assert older.read() == "first week\n"
    # Old logs are valet's, like the directory.
    assert (site.logs / "valet-api.log.1").owner() == "valet"
