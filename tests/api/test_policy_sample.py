"""The committed policy sample is what the generator writes from the code now."""

import pathlib

from oslo_config import cfg
from oslo_policy import generator

SAMPLE = pathlib.Path(__file__).parents[2] / "etc" / "valet" / "policy.yaml.sample"


def test_committed_policy_sample_is_current(tmp_path):
    fresh = tmp_path / "policy.yaml.sample"
    # NOTE: the same code path as `make policy-sample` (the valet entry point
    # in setup.cfg), on a private ConfigOpts so no global state leaks.
    generator.generate_sample(args=["--namespace", "valet", "--output-file", str(fresh)],
                              conf=cfg.ConfigOpts())
    assert fresh.read_text() == SAMPLE.read_text(), (
        "etc/valet/policy.yaml.sample is stale: run `make policy-sample` and commit it")
    assert '#"valet:groups:create": "rule:admin"' in fresh.read_text()
