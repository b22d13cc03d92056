"""A day of net changes on one kept database: ten new one-line orders, then `pegboard plan`, again
and again, printing the kept plan's size and each run's time.

    python -m bench.bench_net_change_day --url URL [--runs 6]

Run it on a copy of a planned workshop (`CREATE DATABASE x TEMPLATE planned`): the orders
(`BENCH-<100+k>-<n>`, `bench_plan_runs.place_a_few`) stay. The kept plan should not grow with the
runs beyond the few lines the new orders add.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import select

from bench.bench_plan_runs import place_a_few
from bench.common import machine, open_board
from pegboard.adapters.db import tables as t
from pegboard.services import planning


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql+psycopg://.../name")
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    sp = t.stored_plans.c
    try:
        for k in range(1, args.runs + 1):
            place_a_few(pb, 100 + k, 10)
            wall, cpu = time.perf_counter(), time.process_time()
            planning.run_plan(uow=pb.uow(), clock=pb.clock)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            with pb.engine.connect() as conn:
                kept = conn.execute(select(sp.kept_result).order_by(sp.id.desc()).limit(1)).scalar() or b""
            size = len(kept) / 1e6
            print(f"run {k}: kept plan {size:.2f} MB; {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    finally:
        pb.close()


if __name__ == "__main__":
    main()
