"""``valet-sim bench``: run the benchmark suites and write JSON and PNG files."""

import time

SUITES = ("speed", "quality", "pipes", "api_load", "scale")


def main(args):
    # NOTE: nova and matplotlib load only here.
    from benchmarks import api_load, pipes, quality, scale, speed
    modules = {"quality": quality, "pipes": pipes, "speed": speed, "api_load": api_load,
               "scale": scale}
    chosen = args.suites or list(SUITES)
    unknown = [name for name in chosen if name not in modules]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        return 1
    for name in chosen:
        started = time.perf_counter()
        modules[name].main(args.output, quick=args.quick)
        print(f"{name} done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0
