"""The deployment suites run against Valet installed from its wheel into a venv
of Debian's python3 (``make deploy`` builds it: tools/build-deploy-venv) and
named by ``VALET_DEPLOY_VENV``."""

import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def deploy_venv():
    """The installed venv (what doc/install.md calls /opt/valet)."""
    named = os.environ.get("VALET_DEPLOY_VENV")
    if not named:
        pytest.fail("VALET_DEPLOY_VENV is not set: run these tests with `make deploy`")
    venv = pathlib.Path(named)
    if not (venv / "bin" / "valet-api").exists():
        pytest.fail(f"{venv} has no bin/valet-api: run tools/build-deploy-venv {venv}")
    return venv
