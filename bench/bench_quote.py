"""Quote latency on the workshops of `bench/plan_workload.py`: the engine alone, and end to end.

    python -m bench.bench_quote --size M [--quotes 300] [--db none|sqlite|postgres] [--leftover] [--seed 3]

A quote is 1 to 3 lines of random products (1 to 3 units each). "engine" times
`planning.quoting.quote_order` on the snapshot already narrowed to what the order's lines rest
on (`planning.scope.narrowed_for_new_lines`, which the database does in SQL end to end);
"leftover" answers each quote from what the plan of the whole workshop leaves over
(`planning.leftover`, built once, its build timed apart), planning in full where it cannot;
"end to end" loads the workshop into a fresh database through the CSV imports (untimed: its
items, BOMs, stock, POs and backordered lines; its open MOs are left out, there is no MO
import) and times `services.quoting.quote`, the call behind `pegboard quote` and
`POST /api/v1/quotes`: read, plan, answer. Percentiles are of single quotes, one after another.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

from bench.common import fresh_database, machine, open_board
from bench.plan_workload import SIZES, TODAY, plan_workload
from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.planning.leftover import Leftover
from pegboard.planning.quoting import QuoteLine, quote_order
from pegboard.planning.scope import narrowed_for_new_lines
from pegboard.planning.snapshot import PlanInput
from pegboard.services.imports import ImportKind, import_csv
from pegboard.services.quoting import LeftoverCache, QuoteRequest, quote

FIRST_QUOTE_AT_HOUR = 12


def requests(snapshot: PlanInput, count: int, seed: int) -> list[tuple[tuple[str, Decimal], ...]]:
    """`count` orders of 1 to 3 random products, 1 to 3 units each."""
    rng = random.Random(seed)
    products = [
        item.sku for item in snapshot.items if item.procurement == "make" and item.sku.startswith("P")
    ]
    return [
        tuple((sku, Decimal(rng.randint(1, 3))) for sku in rng.sample(products, rng.randint(1, 3)))
        for _ in range(count)
    ]


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"p50_ms": 1000 * statistics.median(ordered), "p99_ms": 1000 * p99, "max_ms": 1000 * ordered[-1]}


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def engine(snapshot: PlanInput, orders: list[tuple[tuple[str, Decimal], ...]]) -> dict[str, float]:
    """The planning part of each quote, on its narrowed snapshot (narrowing untimed)."""
    clock = FixedClock(TODAY)
    times = []
    for lines in orders:
        narrow = narrowed_for_new_lines(snapshot, [sku for sku, _ in lines])
        wanted = [QuoteLine(sku, quantity) for sku, quantity in lines]
        at = clock.now()
        times.append(timed(partial(quote_order, narrow, wanted, ordered_at=at)))
    return percentiles(times)


def from_leftover(snapshot: PlanInput, orders: list[tuple[tuple[str, Decimal], ...]]) -> dict[str, float]:
    """Each quote from the plan's leftover (`planning.leftover`), built once on the whole workshop
    (its build timed apart); a quote it cannot answer exactly plans in full and counts as such."""
    clock = FixedClock(TODAY)
    started = time.perf_counter()
    leftover = Leftover(snapshot)
    built = time.perf_counter() - started
    times, answered = [], []
    for lines in orders:
        wanted = [QuoteLine(sku, quantity) for sku, quantity in lines]
        at = clock.now()
        started = time.perf_counter()
        found = leftover.quote(wanted, ordered_at=at)
        if found is not None:
            answered.append(time.perf_counter() - started)
        else:
            narrow = narrowed_for_new_lines(snapshot, [sku for sku, _ in lines])
            quote_order(narrow, wanted, ordered_at=at)
        times.append(time.perf_counter() - started)
    alone = {f"answered_{k}": v for k, v in percentiles(answered).items()} if answered else {}
    fallbacks = len(orders) - len(answered)
    return {**percentiles(times), **alone, "build_ms": 1000 * built, "full_plans": fallbacks}


def csv_files(snapshot: PlanInput) -> list[tuple[ImportKind, str]]:
    """The snapshot as the CSV files a shop would import (open MOs left out)."""

    def text(header: list[str], rows: Sequence[Sequence[object]]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return buffer.getvalue()

    suppliers = sorted({item.supplier for item in snapshot.items if item.supplier})
    supplier_of = {item.sku: item.supplier for item in snapshot.items}
    items = [
        [i.sku, i.sku, i.procurement, i.lead_time_days, i.supplier, i.safety_stock, i.reorder_point]
        + [i.reorder_qty, i.min_order_qty, i.order_multiple]
        for i in snapshot.items
    ]
    item_header = "sku,name,procurement,lead_time_days,supplier,safety_stock,reorder_point,reorder_qty"
    pos = [
        [f"PO-{k:06d}", supplier_of[p.sku] or suppliers[0], p.sku, p.open_quantity, p.expected_date]
        for k, p in enumerate(snapshot.purchase_lines)
    ]
    orders = [
        [d.order_ref, "Customer", d.ordered_at.isoformat(timespec="minutes"), d.sku, d.quantity, d.priority]
        for d in snapshot.demands
    ]
    return [
        (ImportKind.SUPPLIERS, text(["name", "email", "lead_time_days"], [[s, "", 7] for s in suppliers])),
        (ImportKind.ITEMS, text([*item_header.split(","), "min_order_qty", "order_multiple"], items)),
        (
            ImportKind.BOMS,
            text(
                ["parent_sku", "component_sku", "quantity"],
                [[b.parent_sku, b.component_sku, b.quantity_per] for b in snapshot.bom_lines],
            ),
        ),
        (ImportKind.STOCK, text(["sku", "quantity"], [[s, q] for s, q in snapshot.available.items()])),
        (ImportKind.PURCHASE_ORDERS, text(["po_ref", "supplier", "sku", "quantity", "expected_date"], pos)),
        (
            ImportKind.ORDERS,
            text(["order_ref", "customer", "ordered_at", "sku", "quantity", "priority"], orders),
        ),
    ]


def load_workshop(pb: Pegboard, snapshot: PlanInput) -> None:
    """The workshop into `pb`'s database through the CSV imports, as a shop would load it."""
    for kind, text in csv_files(snapshot):
        import_csv(
            kind,
            io.StringIO(text),
            source=f"{kind}.csv",
            uow=pb.uow(),
            clock=pb.clock,
            policy=AllocationPolicy.FIFO,
        )


def end_to_end(
    kind: str, snapshot: PlanInput, orders: list[tuple[tuple[str, Decimal], ...]], *, leftover: bool = False
) -> dict[str, float]:
    """Load the workshop into a fresh database (untimed), then time each quote through the service."""
    with fresh_database(kind) as url:
        pb = open_board(url)
        try:
            pb.clock = FixedClock(TODAY)
            started = time.perf_counter()
            load_workshop(pb, snapshot)
            print(f"  loaded in {time.perf_counter() - started:.1f} s (untimed)", flush=True)
            kept = pb.leftovers if leftover else None
            quote(QuoteRequest(orders[0]), uow=pb.reader(), clock=pb.clock, leftovers=kept)  # warm the caches
            times = [timed(_quoting(pb, lines, kept)) for lines in orders]
            counts = {"from_leftover": kept.answered, "full_plans": kept.planned} if kept else {}
            return {**percentiles(times), **counts}
        finally:
            pb.close()


def _quoting(
    pb: Pegboard, lines: tuple[tuple[str, Decimal], ...], kept: LeftoverCache | None
) -> Callable[[], object]:
    return lambda: quote(QuoteRequest(lines), uow=pb.reader(), clock=pb.clock, leftovers=kept)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--quotes", type=int, default=300)
    parser.add_argument("--db", choices=["none", "sqlite", "postgres"], default="none")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--leftover", action="store_true", help="end to end through the server's kept leftover"
    )
    args = parser.parse_args()
    print(machine())
    started = time.perf_counter()
    snapshot = plan_workload(*SIZES[args.size])
    print(f"{args.size}: generated in {time.perf_counter() - started:.1f} s (untimed)", flush=True)
    orders = requests(snapshot, args.quotes, args.seed)
    print(f"engine, {args.quotes} quotes: {_shown(engine(snapshot, orders))}", flush=True)
    print(f"leftover, {args.quotes} quotes: {_shown(from_leftover(snapshot, orders))}", flush=True)
    if args.db != "none":
        found = end_to_end(args.db, snapshot, orders, leftover=args.leftover)
        how = " from the kept leftover" if args.leftover else ""
        print(f"end to end on {args.db}{how}, {args.quotes} quotes: {_shown(found)}")


def _shown(found: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.1f}" for key, value in found.items())


if __name__ == "__main__":
    main()
