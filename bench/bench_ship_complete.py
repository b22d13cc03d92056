"""Time what ship-complete orders add to a plan: the engine on the same generated snapshot with no
ship-complete order and with one order in `--every` shipping complete.

Run `python -m bench.bench_ship_complete --size M --runs 5 --every 10`; medians, alternated runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from bench.plan_workload import SIZES, plan_workload
from pegboard.planning.engine import plan
from pegboard.planning.snapshot import PlanInput


def seconds(snapshot: PlanInput) -> float:
    started = time.perf_counter()
    plan(snapshot)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    snapshot = plan_workload(*SIZES[args.size])
    refs = sorted({d.order_ref for d in snapshot.demands})
    whole = replace(snapshot, ship_complete=frozenset(refs[:: args.every]))
    plain: list[float] = []
    complete: list[float] = []
    for _ in range(args.runs):
        plain.append(seconds(snapshot))
        complete.append(seconds(whole))
    chosen = len(whole.ship_complete)
    print(f"{args.size}: {len(snapshot.demands):,} lines, {chosen:,} of {len(refs):,} orders complete")
    print(f"  no ship-complete order: median {statistics.median(plain):.3f} s")
    print(f"  1 order in {args.every} ship-complete: median {statistics.median(complete):.3f} s")


if __name__ == "__main__":
    main()
