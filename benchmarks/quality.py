"""Quality: hosts used by Valet vs the CP-SAT optimum (or its bound) and vs a
Nova baseline placing server by server, on random stacks with mixed rules in
a 200-host data centre with existing load."""

from benchmarks import common, nova_baseline
from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.inventory import generated
from ostro.model.placement import group_rules
from ostro.search import bounds, exact
from ostro.search import items as item_model
from ostro.search.problem import Problem
from tests.support import stacks

SIZES = (10, 20, 30, 50, 100, 150, 200)
QUICK_SIZES = (10, 20)
SMALL = 50   # "small cases" for the optimum target: up to the exact model's default size


def datacenter(backends=True):
    # 2 clusters x 5 racks x 20 hosts = 200 hosts, 30 % already used.
    return generated.generate(clusters=2, racks_per_cluster=5, hosts_per_rack=20, seed=7,
                              load=0.3, backends=backends)


def reference(engine, resources, hint, budget):
    """Best hosts-used the exact model finds with a larger budget, and its bound."""
    stack = common.parse(engine.datacenter, resources)
    rules = group_rules(stack)
    items = item_model.stack_items(stack, rules)
    problem = Problem(engine.compiled, items, rules)
    base = engine.state.copy()
    model = exact.ExactModel(problem, base, exact.candidate_sets(problem, base))
    model.hint({orch: engine.compiled.index[name] for orch, name in hint.items()})
    result = model.solve(budget, workers=8)
    # The engine's own lower bound holds too; report the better of the two.
    bound = max(result.hosts_bound or 0, bounds.hosts_lower_bound(problem, base))
    if result.locations is None:
        return None, bound, False, None
    locations = {orch: engine.compiled.names[loc] for orch, loc in result.locations.items()}
    return common.hosts_used(stack, locations), bound, result.optimal, locations


#: Rule mixes a case may use: the classic mix, one with per-domain limits,
#: one with soft groups too large for their domains (tests/support/stacks.py).
MIXES = ("mixed", "limits", "soft")


def run_case(engine, size, seed, budget, rules="mixed"):
    resources = stacks.random_stack(size, seed, rules=rules)
    stack = common.parse(engine.datacenter, resources)
    plan, elapsed = common.timed(engine.plan, resources, stack_id=f"q{size}-{seed}")
    valet = {orch: p.location for orch, p in plan.placements.items()}
    engine.delete_plan(plan.id)
    best, bound, optimal, best_locations = reference(engine, resources, valet, budget)
    case = {"size": size, "seed": seed, "rules": rules, "seconds": elapsed,
            "method": plan.method,
            "valet_hosts": common.hosts_used(stack, valet),
            "valet_violations": common.violations(engine.datacenter, stack, valet)[0],
            "reference_hosts": best, "reference_bound": bound, "reference_optimal": optimal,
            # NOTE: the reference model weighs soft rules as the engine does
            # (ostro.search.exact), so both answers are judged alike.
            "valet_soft_unmet": common.soft_unmet(engine.datacenter, stack, valet),
            "reference_soft_unmet": None if best_locations is None else common.soft_unmet(
                engine.datacenter, stack, best_locations)}
    for mode in nova_baseline.MODES:
        nova = nova_baseline.place(engine.datacenter, stack, mode=mode)
        case[f"nova_{mode}_hosts"] = common.hosts_used(stack, nova)
        case[f"nova_{mode}_violations"] = common.violations(engine.datacenter, stack, nova)[0]
    return case


def _lower(case):
    """The optimum where proven, else the best lower bound known."""
    if case["reference_optimal"]:
        return case["reference_hosts"]
    return case["reference_bound"]


def summarize(cases):
    small = [c for c in cases if c["size"] <= SMALL and c["reference_optimal"]]
    equal = sum(1 for c in small if c["valet_hosts"] <= c["reference_hosts"])
    gaps = [c["valet_hosts"] - _lower(c) for c in cases]
    beaten = sum(1 for c in cases if c["reference_hosts"] is not None
                 and c["valet_hosts"] < c["reference_hosts"])
    never_above = all(c["valet_hosts"] <= c["reference_hosts"] + 1
                      for c in cases if c["reference_optimal"])
    violations = sum(c["valet_violations"] for c in cases)
    share = equal / len(small) if small else None
    return {
        "cases": len(cases), "small_cases_with_proven_optimum": len(small),
        "small_equal_optimum_share": share,
        "never_above_optimum_plus_one": never_above,
        "max_gap_to_optimum_or_bound": max(gaps) if gaps else None,
        "cases_where_valet_beat_the_reference": beaten,
        "valet_violations": violations,
        "valet_soft_unmet": sum(c.get("valet_soft_unmet", 0) for c in cases),
        "reference_soft_unmet": sum(c.get("reference_soft_unmet") or 0 for c in cases),
        "nova_default_violations": sum(c["nova_default_violations"] for c in cases),
        "nova_pack_violations": sum(c["nova_pack_violations"] for c in cases),
        "targets": {
            "0 rule violations": common.verdict(violations == 0),
            ">= 95 % of small cases at the optimum": common.verdict(
                share is not None and share >= 0.95),
            "never above optimum + 1": common.verdict(never_above),
        },
    }


def main(output, quick=False, seeds=3, budget=20.0):
    engine = Engine(datacenter(), EngineSettings())
    cases = []
    for rules in MIXES:
        for size in QUICK_SIZES if quick else SIZES:
            for seed in range(1 if quick else seeds):
                case = run_case(engine, size, seed, 5.0 if quick else budget, rules)
                cases.append(case)
                _report(case)
    summary = summarize(cases)
    summary["by_rules"] = {rules: summarize([c for c in cases if c["rules"] == rules])
                           for rules in MIXES}
    common.write_json(output, "quality", {"cases": cases, "summary": summary})
    common.plot(output, "quality", lambda axes: _draw(axes, cases))
    print("quality summary:", summary)
    return summary


def _report(case):
    size, seed = case["size"], case["seed"]
    print(f"quality {case['rules']} size={size} seed={seed}: valet {case['valet_hosts']} hosts "
          f"({case['method']}, {case['seconds'] * 1000:.0f} ms, "
          f"{case['valet_violations']} viol., {case['valet_soft_unmet']} soft unmet), "
          f"reference {case['reference_hosts']} ({case['reference_soft_unmet']} soft unmet, "
          f"bound {case['reference_bound']}, optimal {case['reference_optimal']}), "
          f"nova default {case['nova_default_hosts']} hosts/"
          f"{case['nova_default_violations']} viol., nova pack "
          f"{case['nova_pack_hosts']}/{case['nova_pack_violations']} viol.", flush=True)


def _draw(axes, cases):
    sizes = [c["size"] for c in cases]
    axes.scatter(sizes, [c["valet_hosts"] for c in cases], label="Valet", marker="o")
    axes.scatter(sizes, [c["reference_hosts"] for c in cases], label="CP-SAT reference",
                 marker="x")
    axes.scatter(sizes, [c["nova_default_hosts"] for c in cases], label="Nova default",
                 marker="^")
    axes.scatter(sizes, [c["nova_pack_hosts"] for c in cases], label="Nova pack", marker="v")
    axes.set_xlabel("servers in stack")
    axes.set_ylabel("hosts used")
    axes.set_title("Hosts used (200-host data centre, 30 % load)")
    axes.legend()
