"""What the feasible MO dates cost `pegboard supply --json`: the supply list alone, with the dates
read from the stored plan (`services.manufacturing.feasible_dates`, what `supply` does), and with
them planned around the open MOs' SKUs on every read (`planned_feasible_dates`, what it did before
the stored plan kept them); the two ways alternate within each run.

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
            stored: list[float] = []
            planned: list[float] = []
            today = pb.clock.today()
            for _ in range(args.runs):
                with pb.reader() as uow:
                    started = time.perf_counter()
                    rows = lists.supply(uow.connection)
                    alone.append(time.perf_counter() - started)
                    mos = {row.ref: row.sku for row in rows if row.kind == "mo"}
                    kept = lists.with_feasible(rows, manufacturing.feasible_dates(mos, uow=uow, today=today))
                    stored.append(time.perf_counter() - started)
                with pb.reader() as uow:
                    started = time.perf_counter()
                    rows = lists.supply(uow.connection)
                    dates = manufacturing.planned_feasible_dates(set(mos.values()), uow=uow, today=today)
                    now = lists.with_feasible(rows, dates)
                    planned.append(time.perf_counter() - started)
                assert kept == now, "the stored plan's dates differ from the ones planned now"
            sizes = f"{args.db}, {args.skus} SKUs, {args.lines} lines"
            print(f"{sizes}: {len(rows)} supply rows, {len(mos)} open MOs of {len(set(mos.values()))} SKUs")
            print(f"  supply list alone: median {statistics.median(alone):.3f} s")
            print(f"  with feasible MO dates from the stored plan: median {statistics.median(stored):.3f} s")
            print(f"  with feasible MO dates planned on the read: median {statistics.median(planned):.3f} s")
        finally:
            pb.close()


if __name__ == "__main__":
    main()
