"""Where valet-api listens (issue 11 §4): loopback by default, since
noauth (the default) makes every caller an admin; beyond loopback with
noauth it starts, with a WARNING saying so."""

import logging

import pytest

from valet_api.cmd import api as valet_api


def conf_with(tmp_path, **api):
    path = tmp_path / "valet.conf"
    path.write_text("[api]\n" + "".join(f"{key} = {value}\n" for key, value in api.items()))
    return valet_api.load_conf(["--config-file", str(path)])


def warnings(caplog, conf):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="valet_api.cmd.api"):
        valet_api._warn_if_open(conf)
    return [record.getMessage() for record in caplog.records]


def test_the_default_is_loopback_and_quiet(tmp_path, caplog):
    conf = conf_with(tmp_path)
    assert (conf.api.host, conf.api.auth_strategy) == ("127.0.0.1", "noauth")
    assert warnings(caplog, conf) == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "valet.example.com"])
def test_noauth_beyond_loopback_warns(tmp_path, caplog, host):
    found = warnings(caplog, conf_with(tmp_path, host=host))
    assert len(found) == 1 and host in found[0] and "noauth" in found[0]


@pytest.mark.parametrize(("host", "strategy"), [
    ("::1", "noauth"), ("127.0.0.2", "noauth"), ("localhost", "noauth"),
    ("0.0.0.0", "keystone")])
def test_loopback_or_keystone_is_quiet(tmp_path, caplog, host, strategy):
    assert warnings(caplog, conf_with(tmp_path, host=host, auth_strategy=strategy)) == []
