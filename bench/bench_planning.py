"""Time the planning engine alone: `plan(PlanInput) -> PlanResult` on generated snapshots.

Run `python -m bench.bench_planning` (sizes S and M, median of 5 runs, then L once) or pick
sizes and runs: `python -m bench.bench_planning --sizes S M L --runs 5 --large-runs 1`.
Building the snapshot is not timed; each run reports its steps (snapshot to arrays, netting,
dating, arrays to the result objects). Peak memory of a run is measured separately with
tracemalloc (which slows the run down, so that run is not timed); the process's peak
resident set size is reported too.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import time
import tracemalloc

import numpy as np

from bench.plan_workload import SIZES, plan_workload
from pegboard.planning.engine import plan
from pegboard.planning.snapshot import PlanInput

STEPS = ("arrays", "netting", "dating", "result")


def timed_run(snapshot: PlanInput) -> dict[str, float]:
    """One plan; seconds per step and in total."""
    laps: list[tuple[str, float]] = []
    plan(snapshot, laps=laps)
    steps = {name: laps[k][1] - laps[k - 1][1] for k, (name, _) in enumerate(laps) if k}
    steps["total"] = laps[-1][1] - laps[0][1]
    return steps


def traced_peak(snapshot: PlanInput) -> int:
    """Peak bytes allocated while planning (Python objects and NumPy arrays), beyond the snapshot."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = plan(snapshot)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak - base


def bench(size: str, runs: int, *, memory: bool) -> None:
    """Generate one snapshot, plan it `runs` times, print the median of each step."""
    n_items, n_lines = SIZES[size]
    started = time.perf_counter()
    snapshot = plan_workload(n_items, n_lines)
    built = time.perf_counter() - started
    results = [timed_run(snapshot) for _ in range(runs)]
    median = {key: statistics.median(r[key] for r in results) for key in (*STEPS, "total")}
    totals = " ".join(f"{r['total']:.3f}" for r in results)
    steps = " ".join(f"{name} {median[name]:.3f}" for name in STEPS)
    print(
        f"{size}: {n_items:,} items, {n_lines:,} lines (snapshot built in {built:.1f} s, not timed)\n"
        f"  plan median {median['total']:.3f} s over {runs} run(s) [{totals}]\n"
        f"  median steps: {steps}"
    )
    if memory:
        peak = traced_peak(snapshot)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(
            f"  peak traced while planning {peak / 2**20:,.0f} MiB; process peak RSS {rss / 2**20:,.0f} MiB"
        )


def main() -> None:
    """Benchmark the sizes asked for; S and M several times, L by default once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["S", "M", "L"], choices=sorted(SIZES))
    parser.add_argument("--runs", type=int, default=5, help="runs at S and M (median)")
    parser.add_argument("--large-runs", type=int, default=1, help="runs at L")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    for size in args.sizes:
        bench(size, args.large_runs if size == "L" else args.runs, memory=not args.no_memory)


if __name__ == "__main__":
    main()
