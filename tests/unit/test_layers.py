"""The engine's packages import downwards only (doc/engine.md, "Layers").

Each part of ``ostro`` may import the parts below it and itself, never one
above: the store does not know the replica, the rules do not know the
search, so a newcomer can read the layers bottom up, and importing the
database code does not load the optimizer.
"""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
OSTRO = ROOT / "ostro"

#: Bottom first.  A name is a module or package directly under ``ostro``.
LAYERS = (
    "errors", "config", "cpsat", "deadline",
    "model",
    "state",
    "parse",
    "inventory",
    "constraints",
    "search",
    "verify",
    "engine",
    "replica",
    "views",
    "operations",
    "rpc",
    "daemon",
    "cmd",
)
RANK = {name: rank for rank, name in enumerate(LAYERS)}


def part_of(module):
    """``ostro.search.exact`` -> ``search``."""
    return module.split(".")[1]


def module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports(path):
    """Absolute names of the ``ostro`` modules ``path`` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.append(target)
    return [target for target in found if target.startswith("ostro.")]


def modules():
    return sorted(OSTRO.rglob("*.py"))


def test_every_part_of_ostro_has_a_layer():
    parts = {part_of(module_name(path)) for path in modules() if module_name(path) != "ostro"}
    assert parts <= RANK.keys(), f"no layer for {sorted(parts - RANK.keys())}"


def test_every_import_inside_ostro_points_down():
    upward = []
    for path in modules():
        name = module_name(path)
        if name == "ostro":
            continue
        for target in imports(path):
            if RANK[part_of(target)] > RANK[part_of(name)]:
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a rule importing the search is caught."""
    fake = tmp_path / "ostro" / "constraints"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("from ostro.search.exact import ExactModel\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (target,) = imports(fake / "bad.py")
    assert RANK[part_of(target)] > RANK[part_of(module_name(fake / "bad.py"))]


@pytest.mark.parametrize("module", ["ostro.state.store", "ostro.state.migrate"])
def test_the_store_does_not_load_the_optimizer(module):
    probe = f"import sys, {module}; print('ortools' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"
