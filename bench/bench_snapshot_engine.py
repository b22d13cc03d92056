"""A whole plan's two parts every whole plan pays, timed apart in process: reading the snapshot and
the planning engine, each as wall and CPU time (this process's; the database's own is not in it).

    python -m bench.bench_snapshot_engine --url URL [--today 2026-12-01] [--rounds 1]

Nothing is written, so two trees can take turns on one database (`PYTHONPATH=/tmp/old/src`). The
first round of a process is the one a command pays; later rounds run on a warmed-up allocator.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from bench.common import machine
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.planning.collector import collector_paused
from pegboard.planning.engine import plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="postgresql+psycopg://.../name or sqlite:///path.db")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = bootstrap(Settings(database_url=args.url, db_pool_size=2), today=args.today)
    try:
        for round_no in range(1, args.rounds + 1):
            with pb.uow() as uow, collector_paused():
                wall, cpu = time.perf_counter(), time.process_time()
                snapshot = uow.planning.snapshot(args.today)
                read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
                wall, cpu = time.perf_counter(), time.process_time()
                result = plan(snapshot)
                plan_wall, plan_cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"  round {round_no}: snapshot {read_wall:.3f} s wall, {read_cpu:.3f} s CPU; "
                f"engine {plan_wall:.3f} s wall, {plan_cpu:.3f} s CPU; "
                f"{len(snapshot.demands)} lines, {len(result.promises)} promised parts, "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            del snapshot, result
    finally:
        pb.close()


if __name__ == "__main__":
    main()
