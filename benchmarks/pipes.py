"""Pipes: bandwidth crossing racks, Valet vs the Nova baseline, on stacks
with QoS pipes between servers and between servers and volumes."""

from benchmarks import common, nova_baseline, quality
from ostro.config import EngineSettings
from ostro.engine import Engine
from tests.support import stacks


def cinder_default(datacenter, stack, locations):
    """Volumes for the baseline as Cinder's default would: the backend with
    the most free capacity that offers the type, ignoring where servers are."""
    free = {name: b.capacity_gb - b.used_gb for name, b in datacenter.backends.items()}
    for volume in stack.volumes():
        fitting = [name for name, b in datacenter.backends.items()
                   if b.enabled and free[name] >= volume.size_gb
                   and (not b.volume_types or volume.volume_type in b.volume_types
                        or volume.volume_type is None)]
        if fitting:
            chosen = max(fitting, key=lambda name: free[name])
            free[chosen] -= volume.size_gb
            locations[volume.orch_id] = chosen
    return locations


def run_case(engine, seed, servers, pipes, volumes):
    resources = stacks.random_stack(servers, seed, rules="mixed", pipes=pipes, volumes=volumes)
    stack = common.parse(engine.datacenter, resources)
    plan, elapsed = common.timed(engine.plan, resources, stack_id=f"p{seed}")
    valet = {orch: p.location for orch, p in plan.placements.items()}
    engine.delete_plan(plan.id)
    dc = engine.datacenter
    case = {"seed": seed, "seconds": elapsed,
            "total_bandwidth": sum(p.bandwidth for p in stack.pipes),
            "server_pipes_bandwidth": sum(p.bandwidth for p in stack.pipes if all(
                stack.resources[end].kind == "server" for end in p.ends)),
            "valet_cross_rack": common.pipe_bandwidth_across(dc, stack, valet, "rack"),
            "valet_cross_host": common.pipe_bandwidth_across(dc, stack, valet, "host"),
            "valet_violations": common.violations(dc, stack, valet)[0]}
    for mode in nova_baseline.MODES:
        nova = cinder_default(dc, stack, nova_baseline.place(dc, stack, mode=mode))
        case[f"nova_{mode}_cross_rack"] = common.pipe_bandwidth_across(dc, stack, nova, "rack")
        case[f"nova_{mode}_cross_host"] = common.pipe_bandwidth_across(dc, stack, nova, "host")
    return case


#: Data centre variants: Cinder pools per rack and per cluster (the target's
#: figure), and per cluster only, where every pipe to a volume crosses racks
#: wherever anything goes (reported to show how much that costs).
VARIANTS = {"rack_and_cluster_pools": "rack", "cluster_pools_only": True}


def run_variant(name, backends, seeds):
    engine = Engine(quality.datacenter(backends=backends), EngineSettings())
    cases = []
    for seed in range(seeds):
        case = run_case(engine, seed, servers=30, pipes=25, volumes=6)
        cases.append(case)
        print(f"pipes {name} seed={seed}: cross-rack Mbps valet "
              f"{case['valet_cross_rack']:.0f}, nova default "
              f"{case['nova_default_cross_rack']:.0f}, nova pack "
              f"{case['nova_pack_cross_rack']:.0f} (of {case['total_bandwidth']:.0f})",
              flush=True)
    valet = sum(c["valet_cross_rack"] for c in cases)
    baselines = {mode: sum(c[f"nova_{mode}_cross_rack"] for c in cases)
                 for mode in nova_baseline.MODES}
    return cases, {
        "valet_cross_rack": valet, "nova_cross_rack": baselines,
        "reduction_vs_nova": {mode: 1 - valet / total if total else None
                              for mode, total in baselines.items()},
        "total_bandwidth": sum(c["total_bandwidth"] for c in cases),
        "server_to_server_bandwidth": sum(c["server_pipes_bandwidth"] for c in cases),
        "valet_violations": sum(c["valet_violations"] for c in cases)}


def main(output, quick=False, seeds=10):
    results = {name: run_variant(name, backends, 2 if quick else seeds)
               for name, backends in VARIANTS.items()}
    headline = results["rack_and_cluster_pools"][1]
    summary = {name: figures for name, (_, figures) in results.items()}
    summary["targets"] = {">= 50 % less cross-rack bandwidth than Nova": common.verdict(
        all(r is not None and r >= 0.5 for r in headline["reduction_vs_nova"].values()))}
    common.write_json(output, "pipes", {"cases": {name: cases for name, (cases, _) in
                                                  results.items()}, "summary": summary})
    common.plot(output, "pipes", lambda axes: _draw(axes, results["rack_and_cluster_pools"][0]))
    print("pipes summary:", summary)
    return summary


def _draw(axes, cases):
    seeds = [c["seed"] for c in cases]
    width = 0.27
    axes.bar([s - width for s in seeds], [c["valet_cross_rack"] for c in cases], width,
             label="Valet")
    axes.bar(seeds, [c["nova_default_cross_rack"] for c in cases], width, label="Nova default")
    axes.bar([s + width for s in seeds], [c["nova_pack_cross_rack"] for c in cases], width,
             label="Nova pack")
    axes.set_xlabel("stack (seed)")
    axes.set_ylabel("cross-rack pipe bandwidth (Mbps)")
    axes.set_title("Pipe bandwidth crossing racks (30 servers, 25 pipes, 6 volumes)")
    axes.legend()
