"""What a re-plan after a few orders spends writing its stored plan, both ways, alternating.

    python -m bench.bench_plan_store --url URL [--orders 5] [--repeat 5]

On a kept database (`bench.workshop_load`), plans and stores the plan, places `--orders`
new one-line orders (kept, as `bench.bench_plan_runs` does), plans once, then times, alternating
in one process and each time in a transaction rolled back: the stored plan's rows written by
reading back and comparing every row (`stored_plan._sync_plan_rows`, with the promises-only read
of the kept plan the re-plan needed before), against the rows written from the kept result
(`stored_plan._sync_changed_plan_rows`, after reading the whole kept plan); and packing the new
kept result.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select

from bench.bench_plan_runs import place_a_few
from bench.common import machine, open_board
from pegboard.adapters.db import stored_plan as sp
from pegboard.adapters.db import tables as t
from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack, unpack, unpack_promises
from pegboard.services import planning


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--orders", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--round", type=int, default=90, help="numbers the new orders' refs")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    pb = open_board(args.url)
    try:
        planning.run_plan(uow=pb.uow(), clock=pb.clock)  # the stored plan the orders come after
        place_a_few(pb, args.round, args.orders)
        with pb.uow() as uow:
            result = plan(uow.planning.snapshot(pb.clock.today()))
        laps: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for way in ("read back every row", "from the kept result"):
                with pb.engine.connect() as conn, conn.begin() as tx:
                    started = time.perf_counter()
                    plan_id, kept = conn.execute(
                        select(t.stored_plans.c.id, t.stored_plans.c.kept_result)
                    ).one()
                    if way == "read back every row":
                        unpack_promises(kept)
                        sp._sync_plan_rows(conn, plan_id, result)
                    else:
                        before = unpack(kept)
                        assert before is not None
                        sp._sync_changed_plan_rows(conn, plan_id, before, result)
                    laps.setdefault(way, []).append(time.perf_counter() - started)
                    tx.rollback()
            started = time.perf_counter()
            pack(result)
            laps.setdefault("pack", []).append(time.perf_counter() - started)
        for name, values in laps.items():
            spread = f"{min(values):.3f}..{max(values):.3f}, n={len(values)}"
            print(f"{name}: {statistics.median(values):.3f} s ({spread})")
    finally:
        pb.close()


if __name__ == "__main__":
    main()
