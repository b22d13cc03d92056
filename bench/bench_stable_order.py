"""Stable ordering of int64 keys: the 16-bit radix passes of `planning.sorting.stable_order`
against NumPy's `np.argsort(kind="stable")`, on the key shapes the planner sorts.

    python -m bench.bench_stable_order [--rows 100000 1000000] [--runs 7] [--sites M] [--engine S M]

Prints the median time of each over `--runs` runs (after one warm-up), per shape and size;
with `--sites`, each call the planner makes in one plan, timed both ways on its own keys
(summed by call site); with `--engine`, also the whole planning engine (`plan`) on the
generated snapshots of those
sizes, with the planner's own `stable_order` and with `np.argsort(kind="stable")` in its
place, the two runs alternating.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from bench.plan_workload import SIZES, plan_workload
from pegboard.planning import arrays, assembly, engine, netting, queue
from pegboard.planning.sorting import stable_order

#: The planner's modules that order rows with `stable_order`.
USERS = (arrays, assembly, engine, netting, queue)

Ints = npt.NDArray[np.int64]


def shapes(rows: int, seed: int) -> dict[str, Ints]:
    """Keys like the planner's: BOM levels (few values), items (up to 100k), item*rank pairs (wide)."""
    rng = np.random.default_rng(seed)
    items = max(rows // 10, 1)
    item = rng.integers(0, items, rows, dtype=np.int64)
    return {
        "levels (0..5)": rng.integers(0, 6, rows, dtype=np.int64),
        f"items (0..{items})": item,
        "item*rank (wide)": item * (rows + 2 * items + 2) + rng.integers(0, rows, rows, dtype=np.int64),
        "item, almost sorted": np.sort(item) + (rng.random(rows) < 0.01) * 3,
    }


def median_seconds(sort: Callable[[Ints], Ints], key: Ints, runs: int) -> float:
    sort(key)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sort(key)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def numpy_stable(key: Ints) -> Ints:
    return np.argsort(key, kind="stable").astype(np.int64, copy=False)


def engine_medians(size: str, runs: int) -> tuple[float, float]:
    """Median seconds of `plan` with the radix order and with NumPy's stable argsort, alternated."""
    snapshot = plan_workload(*SIZES[size])
    times: dict[str, list[float]] = {"radix": [], "argsort": []}
    for _ in range(runs + 1):
        for name, sort in (("radix", stable_order), ("argsort", numpy_stable)):
            for module in USERS:
                module.stable_order = sort  # type: ignore[attr-defined]
            started = time.perf_counter()
            engine.plan(snapshot)
            times[name].append(time.perf_counter() - started)
    for module in USERS:
        module.stable_order = stable_order  # type: ignore[attr-defined]
    return statistics.median(times["radix"][1:]), statistics.median(times["argsort"][1:])


def per_site(size: str, runs: int) -> dict[str, tuple[int, float, float]]:
    """For each call of `stable_order` in one plan, by caller: (rows, radix s, argsort s), medians."""
    snapshot = plan_workload(*SIZES[size])
    found: dict[str, tuple[int, float, float]] = {}

    def measuring(key: Ints) -> Ints:
        caller = sys._getframe(1)
        site = f"{caller.f_globals['__name__'].rsplit('.', 1)[-1]}.{caller.f_code.co_name}:{caller.f_lineno}"
        rows, radix, plain = found.get(site, (0, 0.0, 0.0))
        found[site] = (
            rows + len(key),
            radix + median_seconds(stable_order, key, runs),
            plain + median_seconds(numpy_stable, key, runs),
        )
        return stable_order(key)

    for module in USERS:
        module.stable_order = measuring  # type: ignore[attr-defined]
    try:
        engine.plan(snapshot)
    finally:
        for module in USERS:
            module.stable_order = stable_order  # type: ignore[attr-defined]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engine", nargs="*", choices=sorted(SIZES), default=[])
    parser.add_argument("--sites", nargs="*", choices=sorted(SIZES), default=[])
    args = parser.parse_args()
    print(f"numpy {np.__version__}; median of {args.runs} runs")
    for rows in args.rows:
        for name, key in shapes(rows, args.seed).items():
            assert stable_order(key).tolist() == numpy_stable(key).tolist()
            radix = median_seconds(stable_order, key, args.runs)
            plain = median_seconds(numpy_stable, key, args.runs)
            print(
                f"rows={rows:>9,} {name:<22} radix {radix * 1000:8.2f} ms   "
                f"argsort(stable) {plain * 1000:8.2f} ms   radix/argsort {radix / plain:.2f}"
            )
    for size in args.sites:
        for site, (rows, radix, plain) in per_site(size, args.runs).items():
            print(
                f"site {site:<36} at {size}: {rows:>9,} rows  radix {radix * 1000:8.2f} ms   "
                f"argsort(stable) {plain * 1000:8.2f} ms   radix/argsort {radix / plain:.2f}"
            )
    for size in args.engine:
        radix, plain = engine_medians(size, args.runs)
        print(
            f"plan at {size} {SIZES[size]}: radix {radix:.3f} s   argsort(stable) {plain:.3f} s   "
            f"radix/argsort {radix / plain:.2f}"
        )


if __name__ == "__main__":
    main()
