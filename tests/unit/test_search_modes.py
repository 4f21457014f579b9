"""Which search answers (DESIGN §5 "Objective", ``[engine] exact_max_resources``):
the greedy heuristic, or the exact CP-SAT model for small stacks, both when
the heuristic finds nothing and when its answer can be improved."""

import re

import pytest

from ostro.errors import NoPlacement
from tests.unit.engine_fixtures import (
    assert_no_violations,
    build,
    domain,
    engine,
    group,
    host_entry,
    host_name,
    hosts_used,
    inventory_data,
    locations,
    server,
    servers,
    stack,
)

R1H1, R1H2 = host_name("r1", 1), host_name("r1", 2)
R2H1, R2H2 = host_name("r2", 1), host_name("r2", 2)


def trap_datacenter():
    """Rack r1: hosts of 10 and 2 vCPU.  Rack r2: hosts of 8 and 4 vCPU.

    Three 4-vCPU servers in affinity(rack) fit only in r2 (8 + 4); r1 has
    12 vCPU in total, so the group's room check passes there, but no split
    of three 4s fits 10 + 2.  Greedy opens the host with the most room (the
    10-vCPU host in r1), puts two servers there and the group is stuck.
    """
    data = inventory_data(clusters=1, racks_per_cluster=2, hosts_per_rack=2)
    for name, size in ((R1H1, 10), (R1H2, 2), (R2H1, 8), (R2H2, 4)):
        host_entry(data, name).update(vcpus=size, memory_mb=size * 1024, disk_gb=size * 10)
    data["flavors"]["four"] = {"vcpus": 4, "ram": 4096, "disk": 40}
    return build(data)


def trap_stack():
    return stack(*servers("s", 3, "four"), group("g", "affinity", "rack", ["s1", "s2", "s3"]))


def test_exact_model_finds_what_greedy_misses():
    dc = trap_datacenter()
    subject = engine(dc, exact_max_resources=50)
    plan = subject.plan(trap_stack())
    assert plan.method == "exact"
    assert set(locations(plan).values()) == {R2H1, R2H2}
    assert {domain(dc, host, "rack") for host in locations(plan).values()} == {"r2"}
    assert_no_violations(subject)


@pytest.mark.parametrize("settings", [
    {"exact_max_resources": 0},                           # exact model off
    {"exact_max_resources": 2},                           # the stack is too big for it
    {"exact_max_resources": 50, "solver_time_budget": 0.0},   # no time for it
], ids=["exact-off", "stack-too-big", "no-budget"])
def test_without_the_exact_model_the_trap_is_refused(settings):
    subject = engine(trap_datacenter(), **settings)
    with pytest.raises(NoPlacement) as caught:
        subject.plan(trap_stack())
    error = caught.value
    assert error.rule == "affinity(rack)"
    assert error.group == "g"
    assert error.resource in ("s1", "s2", "s3")
    assert re.fullmatch(r"affinity\(rack\) of group g left 0 of \d+ racks for s[123]( \(.*\))?",
                        error.message), error.message
    assert subject.placements == {}


def packing_datacenter():
    """One rack of three 12-vCPU hosts and flavors of 5, 4 and 3 vCPU.

    Servers 5, 5, 4, 4, 3, 3 (24 vCPU) fit on two hosts only as
    {5, 4, 3} + {5, 4, 3}; first-fit decreasing opens a third host.
    """
    data = inventory_data(clusters=1, racks_per_cluster=1, hosts_per_rack=3)
    for host in data["hosts"]:
        host.update(vcpus=12, memory_mb=12 * 1024, disk_gb=120)
    for size in (3, 4, 5):
        data["flavors"][f"f{size}"] = {"vcpus": size, "ram": size * 1024, "disk": size * 10}
    return build(data)


def packing_stack():
    return stack(*servers("five", 2, "f5"), *servers("four", 2, "f4"),
                 *servers("three", 2, "f3"))


@pytest.mark.parametrize("limit", [50, 6], ids=["default", "exactly-the-stack-size"])
def test_exact_model_improves_heuristic_packing_to_the_optimum(limit):
    subject = engine(packing_datacenter(), exact_max_resources=limit)
    plan = subject.plan(packing_stack())
    assert plan.method == "exact"
    assert len(hosts_used(plan)) == 2          # the optimum: 24 vCPU on 12-vCPU hosts
    per_host = {}
    for name, host in locations(plan).items():
        per_host.setdefault(host, []).append(name)
    assert sorted(len(names) for names in per_host.values()) == [3, 3]
    assert_no_violations(subject)


@pytest.mark.parametrize("limit", [0, 5])
def test_over_the_limit_restarts_reach_the_optimum(limit):
    """First-fit decreasing opens a third host; greedy restarts in other
    orders find {5, 4, 3} twice without the exact model."""
    subject = engine(packing_datacenter(), exact_max_resources=limit)
    plan = subject.plan(packing_stack())
    assert plan.method == "restarts"
    assert len(plan.placements) == 6
    assert len(hosts_used(plan)) == 2
    assert_no_violations(subject)


def test_restarts_need_budget():
    subject = engine(packing_datacenter(), exact_max_resources=0, solver_time_budget=0.0)
    plan = subject.plan(packing_stack())
    assert plan.method in ("heuristic", "improved")
    assert len(hosts_used(plan)) == 3
    assert_no_violations(subject)


def test_heuristic_answer_at_the_lower_bound_is_kept():
    # Two small servers on one host cannot be beaten, so the solver is skipped.
    subject = engine(packing_datacenter())
    plan = subject.plan(stack(server("a"), server("b")))
    assert plan.method == "heuristic"
    assert len(hosts_used(plan)) == 1
