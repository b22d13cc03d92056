"""`pegboard plan` end to end: read the snapshot, plan, store every line's promise; and re-promising.

    python -m bench.bench_plan_e2e --db sqlite|postgres --skus 1000 --lines 10000 [--runs 3]

Each run gets a fresh database filled through the CSV imports (untimed, from `bench.workload`),
then times: the snapshot read alone, the first plan run (every promise is new), a second run
(nothing changed: promises compared, none written), and a reschedule of one PO, which re-promises
only the SKUs joined to it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import timedelta

from bench.common import fresh_database, load_catalogue, machine, open_board
from bench.workload import Sizes, generate
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import planning, purchasing
from pegboard.services.imports import ImportKind, import_csv


def one_run(kind: str, sizes: Sizes) -> dict[str, float]:
    """Seconds per step on a fresh database of the given size."""
    work = generate(sizes)
    with fresh_database(kind) as url:
        pb = open_board(url)
        try:
            load_catalogue(pb, work)
            import_csv(
                ImportKind.ORDERS,
                io.StringIO(work.csv_text("orders")),
                source="orders.csv",
                uow=pb.uow(),
                clock=pb.clock,
                policy=AllocationPolicy.FIFO,
            )
            laps: dict[str, float] = {}
            started = time.perf_counter()
            with pb.reader() as uow:
                snapshot = uow.planning.snapshot(pb.clock.today())
            laps["snapshot"] = time.perf_counter() - started
            started = time.perf_counter()
            first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
            laps["first plan"] = time.perf_counter() - started
            started = time.perf_counter()
            planning.run_plan(uow=pb.uow(), clock=pb.clock)
            laps["second plan"] = time.perf_counter() - started
            po = snapshot.purchase_lines[0]
            started = time.perf_counter()
            purchasing.reschedule(
                po.po_ref,
                (po.expected_date or pb.clock.today()) + timedelta(days=7),
                uow=pb.uow(),
                clock=pb.clock,
            )
            laps["reschedule + re-promise"] = time.perf_counter() - started
            laps["promises"] = float(len(first.result.promises))
            laps["demands"] = float(len(snapshot.demands))
            return laps
        finally:
            pb.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(machine())
    runs = [one_run(args.db, Sizes(order_lines=args.lines, skus=args.skus)) for _ in range(args.runs)]
    for step in ("snapshot", "first plan", "second plan", "reschedule + re-promise"):
        values = [run[step] for run in runs]
        print(
            f"plan e2e db={args.db} skus={args.skus} lines={args.lines} {step}: "
            f"{statistics.median(values):.3f} s ({min(values):.3f}..{max(values):.3f}, n={len(values)})"
        )
    print(
        f"plan e2e db={args.db}: {int(runs[0]['demands'])} backordered line parts, "
        f"{int(runs[0]['promises'])} promises"
    )


if __name__ == "__main__":
    main()
