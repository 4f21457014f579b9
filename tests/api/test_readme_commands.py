"""Every command in the README's ``sh`` blocks is run here or by a named
suite: a command this file does not know fails the test, so a command added
to the README without a check cannot go stale unnoticed."""

import json
import pathlib
import re
import shlex
import subprocess
import sys

from benchmarks import run as bench_run
from tests.api import test_readme

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = pathlib.Path(sys.executable).parent


def commands():
    """Each command of the README's sh blocks, continuation lines joined,
    comments dropped."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S):
        pending = ""
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            # NOTE: a quoted JSON body spans lines; a command ends where its
            # quotes close.
            pending += line + "\n"
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:
                continue
            pending = ""
            if words:
                found.append(words)
        assert not pending, pending
    return found


def optional_removed(words):
    """``words`` without the README's ``[--option value]`` parts."""
    text = " ".join(words)
    return shlex.split(re.sub(r"\[[^\]]*\]", "", text))


def test_every_readme_command_is_known():
    kinds = {_kind(words) for words in commands()}
    assert None not in kinds, [words for words in commands() if _kind(words) is None]
    assert kinds >= {"make", "curl", "valet-sim place", "valet-sim bench"}


def _kind(words):
    program = pathlib.Path(words[0]).name
    if program in ("make", "curl"):
        return program
    if program == "valet-sim" and len(words) > 1 and words[1] in ("place", "bench"):
        return f"valet-sim {words[1]}"
    return None


def test_make_targets_the_readme_names_exist():
    targets = {words[1] for words in commands() if _kind(words) == "make"}
    assert {"run", "test"} <= targets
    for target in targets:
        # NOTE: -n prints the recipes without running them; an unknown target
        # is "No rule to make target" and a non-zero exit.
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, (target, dry.stderr)


def test_the_readme_curls_are_the_walkthrough():
    curls = [words for words in commands() if _kind(words) == "curl"]
    # test_readme.py sends each of them to a real valet-api.
    assert len(curls) == len(test_readme.walkthrough())


def test_valet_sim_place_runs_as_shown():
    shown = [words for words in commands() if _kind(words) == "valet-sim place"]
    assert shown
    for words in shown:
        argv = [str(BIN / "valet-sim"), *optional_removed(words)[1:]]
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        placements = json.loads(done.stdout)["placements"]
        assert placements and all(entry["location"] for entry in placements.values())


def test_valet_sim_bench_names_real_suites():
    # NOTE: `make bench-test` runs `valet-sim bench --quick` itself; a full run
    # takes many minutes, so here only what the README names is checked.
    shown = [words for words in commands() if _kind(words) == "valet-sim bench"]
    assert shown
    for words in shown:
        suites = [word for word in words[2:] if not word.startswith("-")]
        assert set(suites) <= set(bench_run.SUITES), words
