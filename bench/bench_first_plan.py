"""`pegboard plan`'s first run on one kept database (every promise new, as after an install or
after the promises were forgotten), optionally with cProfile's top functions.

    python -m bench.bench_first_plan --url URL [--rounds 3] [--profile] [--top 40]

Each round forgets every stored promise and the stored plan (untimed, then `VACUUM ANALYZE` on
PostgreSQL, as `bench.bench_plan_runs` does) and times one plan run in process
(`services.planning.run_plan`, as the CLI calls it). Nothing else is written, so two trees can
take turns on the same database.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

from bench.bench_plan_runs import forget_plans, run
from bench.common import machine, open_board


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql+psycopg://.../name")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile each run (slower)")
    parser.add_argument("--top", type=int, default=40, help="functions listed per profile")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    laps: list[float] = []
    try:
        for round_no in range(1, args.rounds + 1):
            forget_plans(pb)
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            done = run(pb)
            if profiler is not None:
                profiler.disable()
            laps.append(time.perf_counter() - started)
            print(
                f"  round {round_no}: first plan {laps[-1]:.3f} s, {len(done.changed)} promises stored, "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if profiler is not None:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
                print(out.getvalue(), flush=True)
    finally:
        pb.close()
    print(f"first plan: {statistics.median(laps):.3f} s ({min(laps):.3f}..{max(laps):.3f}, n={len(laps)})")


if __name__ == "__main__":
    main()
