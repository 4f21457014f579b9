"""etc/valet/valet.conf.sample is what oslo-config-generator makes of the
code's options now: a changed option (name, default, help) without
`make config-sample` fails here."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATOR_CONF = ROOT / "etc" / "valet" / "valet-config-generator.conf"
SAMPLE = ROOT / "etc" / "valet" / "valet.conf.sample"
GENERATOR = pathlib.Path(sys.executable).with_name("oslo-config-generator")


def test_committed_sample_is_what_the_generator_makes(tmp_path):
    fresh = tmp_path / "valet.conf.sample"
    done = subprocess.run([str(GENERATOR), "--config-file", str(GENERATOR_CONF),
                           "--output-file", str(fresh)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert SAMPLE.read_text() == fresh.read_text(), (
        "etc/valet/valet.conf.sample is stale: run `make config-sample` and commit it")


def test_sample_documents_every_valet_section():
    sections = {line.strip("[]\n") for line in SAMPLE.read_text().splitlines()
                if line.startswith("[")}
    assert {"DEFAULT", "api", "database", "engine", "inventory"} <= sections
    assert "#port = 8090" in SAMPLE.read_text()
