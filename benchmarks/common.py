"""Measurements shared by the benchmark suites: violations (by the
independent checker), hosts used, cross-rack bandwidth, percentiles, output."""

import json
import os
import time

from ostro.model.placement import Placement, group_rules
from ostro.parse import resources as parser
from ostro.verify import checker


def parse(datacenter, resources):
    return parser.parse(resources, datacenter)


def violations(datacenter, stack, locations, settings=None):
    """Violations of ``locations`` (orch id -> location name or None) per
    :mod:`ostro.verify`; an unplaced resource counts as one violation, a
    soft rule left unmet as none (:func:`soft_unmet` counts those)."""
    placements = [Placement(orch, stack.resources[orch], location)
                  for orch, location in locations.items() if location is not None]
    found = checker.check(datacenter, placements, group_rules(stack).values(), stack.pipes,
                         settings)
    unplaced = sum(1 for location in locations.values() if location is None)
    return sum(1 for violation in found if not violation.soft) + unplaced, found


def soft_unmet(datacenter, stack, locations):
    """How many soft groups ``locations`` leave unmet."""
    _, found = violations(datacenter, stack, locations)
    return len({violation.group for violation in found if violation.soft})


def hosts_used(stack, locations):
    return len({location for orch, location in locations.items()
                if location is not None and stack.resources[orch].kind == "server"})


def pipe_bandwidth_across(datacenter, stack, locations, level="rack"):
    """Bandwidth of pipes whose ends are in different domains of ``level``
    (an end with no domain there, or unplaced, counts as across)."""
    total = 0.0
    for pipe in stack.pipes:
        ends = [locations.get(end) for end in pipe.ends]
        if None in ends:
            total += pipe.bandwidth
            continue
        first, second = (datacenter.location(end).domain(level) for end in ends)
        if first is None or first != second:
            total += pipe.bandwidth
    return total


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def write_json(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name}.json")
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2, sort_keys=True)
    return path


def plot(directory, name, draw):
    """Save a PNG drawn by ``draw(axes)``; skipped without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return None
    figure, axes = pyplot.subplots(figsize=(7, 4))
    draw(axes)
    figure.tight_layout()
    path = os.path.join(directory, f"{name}.png")
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return path


def verdict(met):
    return "met" if met else "NOT met"
