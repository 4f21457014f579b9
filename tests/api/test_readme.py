"""The README's walkthrough, run as written against a real ``valet-api``:
every ``curl`` in it is sent (host and port changed to the test server's)
and must get the status the README shows after it."""

import json
import pathlib
import re
import shlex

from tests.api.test_server import write_conf
from tests.support.live_server import call, free_port, start_server, stop, wait_until_up

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED = "http://localhost:8090"


def walkthrough():
    """``[(method, path, body, documented status or None)]`` from the sh block
    under "## Walkthrough"."""
    text = README.read_text()
    section = text[text.index("## Walkthrough"):]
    block = section[section.index("```sh") + len("```sh"):]
    block = block[:block.index("```")]
    commands, current = [], None
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("curl "):
            current = [stripped]
            commands.append(current)
        elif current is not None and current[-1].endswith("\\"):
            current.append(stripped)
        elif current is not None and stripped.startswith("#"):
            current.append(stripped)
            current = None
        elif current is not None and not stripped.startswith("#"):
            current[-1] += "\n" + stripped
    return [_parse(lines) for lines in commands]


def _parse(lines):
    command = " ".join(line.rstrip("\\") for line in lines if not line.startswith("#"))
    words = shlex.split(command, comments=True)
    method, body, url = "GET", None, None
    index = 1
    while index < len(words):
        word = words[index]
        if word in ("-X", "-H", "-d", "-o", "-w"):
            value = words[index + 1]
            if word == "-X":
                method = value
            elif word == "-d":
                body = json.loads(value)
                method = "POST" if method == "GET" else method
            index += 2
            continue
        if word.startswith(DOCUMENTED):
            url = word
        index += 1
    trailing = re.search(r"#\s*(\d{3})\b", command)
    answer = next((line for line in lines if line.startswith("#")), "")
    documented = re.match(r"#\s*(\d{3})\b", answer)
    status = trailing or documented
    return method, url[len(DOCUMENTED):], body, int(status.group(1)) if status else None


def test_the_walkthrough_runs_as_written(tmp_path):
    steps = walkthrough()
    assert len(steps) >= 8, steps
    assert {method for method, *_ in steps} >= {"GET", "POST", "PUT", "DELETE"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log = start_server(tmp_path, write_conf(tmp_path, port))
    try:
        wait_until_up(base, process, timeout=20.0)
        for method, path, body, documented in steps:
            status, answer = call(base, method, path, body)
            assert status == (documented or 200), (method, path, status, answer)
    finally:
        assert stop(process, log) == 0
