"""Running ``valet ...`` and ``openstack valet ...`` as real processes, as
an admin types them: a clean environment (no ``OS_*`` of the developer's,
an empty HOME, a working directory without clouds.yaml)."""

import dataclasses
import json
import os
import pathlib
import subprocess
import sys

BIN = pathlib.Path(sys.executable).parent
#: How each front-end is called before the command's own words.
FRONTS = {"valet": [str(BIN / "valet")], "openstack": [str(BIN / "openstack")]}
# NOTE: osc needs its plugin's word first: `openstack valet group list`.
SUBCOMMAND = {"valet": [], "openstack": ["valet"]}


@dataclasses.dataclass
class Result:
    argv: list
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self):
        assert self.returncode == 0, self
        return json.loads(self.stdout)

    def cells(self):
        """The rows of a ``-f table`` answer (its header first), as cells."""
        assert self.returncode == 0, self
        return [[cell.strip() for cell in line.split("|")[1:-1]]
                for line in self.stdout.splitlines() if line.startswith("|")]

    def table(self):
        """The rows of a ``-f value`` answer, split on whitespace."""
        assert self.returncode == 0, self
        return [line.split() for line in self.stdout.splitlines() if line.strip()]


def clean_environment(home, **variables):
    """``os.environ`` without the caller's OpenStack settings, HOME at
    ``home``, plus ``variables``."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith("OS_") and name != "VALET_URL"}
    return {**kept, "HOME": str(home), **variables}


@dataclasses.dataclass
class Cli:
    """The command lines against one Valet API at ``base``."""

    base: str
    home: pathlib.Path

    def run(self, *words, front="valet", options=None, env=None, plugin=True):
        """``front`` (valet | openstack) with global ``options`` (default:
        ``--os-valet-url base``, noauth) then the command's ``words``
        (under ``openstack``, after ``valet`` unless not ``plugin``)."""
        if options is None:
            options = ["--os-valet-url", self.base]
        plugin_word = SUBCOMMAND[front] if plugin else []
        argv = FRONTS[front] + list(options) + plugin_word + [str(w) for w in words]
        # NOTE: a guard against a hung process, not a speed check.
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                              cwd=self.home, env=env or clean_environment(self.home))
        return Result(argv, done.returncode, done.stdout, done.stderr)

    def json(self, *words, **how):
        return self.run(*words, "-f", "json", **how).json

    def refused(self, *words, **how):
        """The stderr of a command that must fail (non-zero exit)."""
        result = self.run(*words, **how)
        assert result.returncode != 0, result
        return result.stderr
