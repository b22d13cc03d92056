"""What the feasible MO dates cost `pegboard supply --json`: the supply list alone, and with the
plan around the open MOs' SKUs that dates them (`services.manufacturing.feasible_dates`).

    python -m bench.bench_supply_feasible --db sqlite|postgres --skus 1000 --lines 10000 [--runs 5]

A fresh database is filled through the CSV imports (untimed), a plan run confirms its
suggestions (so open MOs and POs exist; untimed), then each step is timed `--runs` times.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from bench.common import fresh_database, load_catalogue, open_board
from bench.workload import Sizes, generate
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import manufacturing, planning
from pegboard.services.imports import ImportKind, import_csv
from pegboard.views import lists


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = generate(Sizes(order_lines=args.lines, skus=args.skus))
    with fresh_database(args.db) as url:
        pb = open_board(url)
        try:
            load_catalogue(pb, work)
            orders = io.StringIO(work.csv_text("orders"))
            import_csv(
                ImportKind.ORDERS,
                orders,
                source="orders.csv",
                uow=pb.uow(),
                clock=pb.clock,
                policy=AllocationPolicy.FIFO,
            )
            planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
            alone: list[float] = []
            feasible: list[float] = []
            for _ in range(args.runs):
                with pb.reader() as uow:
                    started = time.perf_counter()
                    rows = lists.supply(uow.connection)
                    alone.append(time.perf_counter() - started)
                    making = {row.sku for row in rows if row.kind == "mo"}
                    dates = manufacturing.feasible_dates(making, uow=uow, today=pb.clock.today())
                    lists.with_feasible(rows, dates)
                    feasible.append(time.perf_counter() - started)
            sizes = f"{args.db}, {args.skus} SKUs, {args.lines} lines"
            print(f"{sizes}: {len(rows)} supply rows, {len(making)} MO SKUs")
            print(f"  supply list alone: median {statistics.median(alone):.3f} s")
            print(f"  with feasible MO dates: median {statistics.median(feasible):.3f} s")
        finally:
            pb.close()


if __name__ == "__main__":
    main()
