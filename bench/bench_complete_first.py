"""complete-first's search: which of 1,000 waiting orders over 50 SKUs to make whole, timed.

    python -m bench.bench_complete_first --orders 1000 --skus 50 --runs 5
    python -m bench.bench_complete_first --orders 1000 --skus 1 --runs 5
    python -m bench.bench_complete_first --orders 1000 --skus 50 --runs 3 --seconds 30
    python -m bench.bench_complete_first --orders 1000 --skus 50 --runs 3 --db sqlite

Each run builds a fresh random workload (seeded by the run number): `--orders` waiting orders,
oldest first, each needing one to three of the SKUs, one to five units each, and stock for
`--stock` (a fraction, default 0.5) of what they need together, every SKU at once, as a stock
count or a large receipt would bring. The timed part is `choose_whole_orders` with the time limit
`--seconds` (the setting PEGBOARD_COMPLETE_FIRST_SECONDS, default 2 s): the greatest count, then
the ties by age. It reports the time, whether the set was proven best within the limit, how many
orders it makes whole, and how many the greedy set (oldest first, whatever fits) would.

With `--db sqlite|postgres` the same workload is placed as real orders (all on backorder,
untimed) and the timed part is the stock count that brings the stock, through the service with
the complete-first policy: the items' locks, reading the waiting orders, the search, the
allocations and the re-promising, in one transaction: how long the items stay locked.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np

from bench.common import fresh_database, machine
from bench.workload import TODAY
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.planning.allocation import WholeOrderCandidate, choose_whole_orders
from pegboard.planning.whole_orders import Knapsack
from pegboard.services import catalogue, orders, stock


def workload(
    seed: int, *, orders: int, skus: int, stock: float
) -> tuple[list[WholeOrderCandidate], dict[str, Decimal]]:
    """Waiting orders oldest first, and stock for a fraction of all they need."""
    rng = random.Random(seed)
    candidates = []
    for rank in range(orders):
        lines = rng.sample(range(skus), rng.randint(1, min(3, skus)))
        needs = {f"SKU-{s:03d}": Decimal(rng.randint(1, 5)) for s in lines}
        candidates.append(WholeOrderCandidate(f"SO-{rank + 1}", rank, needs))
    total: dict[str, Decimal] = {}
    for c in candidates:
        for sku, need in c.needs.items():
            total[sku] = total.get(sku, Decimal(0)) + need
    fraction = Decimal(str(stock))
    return candidates, {sku: (need * fraction).to_integral_value() for sku, need in total.items()}


def greedy_count(candidates: list[WholeOrderCandidate], available: dict[str, Decimal]) -> int:
    skus = sorted(available)
    needs = np.array([[int(c.needs.get(s, 0)) for c in candidates] for s in skus], dtype=np.int64)
    capacity = np.array([int(available[s]) for s in skus], dtype=np.int64)
    return int(Knapsack(needs, capacity).greedy().sum())


def through_the_service(
    kind: str, candidates: list[WholeOrderCandidate], available: dict[str, Decimal], *, seconds: float
) -> tuple[float, int]:
    """Seconds for the stock count that allocates by complete-first, and the orders it made whole."""
    with fresh_database(kind) as url:
        pb = bootstrap(Settings(database_url=url, complete_first_seconds=seconds), today=TODAY)
        try:
            catalogue.save_suppliers([Supplier("Acme", lead_time_days=3)], uow=pb.uow())
            catalogue.save_items(
                [Item(s, s, Procurement.BUY, supplier="Acme") for s in available], uow=pb.uow()
            )
            drafts = [
                orders.OrderDraft(
                    order_ref=c.order_ref,
                    customer="Ada",
                    ordered_at=datetime(2026, 1, 1) + timedelta(minutes=c.rank),
                    lines=tuple(
                        orders.LineDraft(s, to_quantity(q), to_money("10")) for s, q in c.needs.items()
                    ),
                )
                for c in candidates
            ]
            orders.place_orders(drafts, uow=pb.uow(), clock=pb.clock)
            started = time.perf_counter()
            stock.count_stock(
                {s: to_quantity(q) for s, q in available.items()},
                reason="bench",
                uow=pb.uow(),
                clock=pb.clock,
                policy=AllocationPolicy.COMPLETE_FIRST,
            )
            took = time.perf_counter() - started
            with pb.reader() as uow:
                whole = sum(
                    1
                    for o in uow.orders.get_many([c.order_ref for c in candidates]).values()
                    if all(line.open_quantity == 0 for line in o.lines)
                )
            return took, whole
        finally:
            pb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--skus", type=int, default=50)
    parser.add_argument("--stock", type=float, default=0.5, help="stock as a fraction of the total need")
    parser.add_argument("--seconds", type=float, default=2.0, help="the search's time limit")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--db", choices=["sqlite", "postgres"], help="time the stock count through the service"
    )
    args = parser.parse_args()
    print(machine())
    times: list[float] = []
    for run in range(args.runs):
        candidates, available = workload(run, orders=args.orders, skus=args.skus, stock=args.stock)
        if args.db:
            took, allocated = through_the_service(args.db, candidates, available, seconds=args.seconds)
            times.append(took)
            print(f"run {run}: stock count with complete-first {took:.3f} s, {allocated} orders made whole")
            continue
        started = time.perf_counter()
        chosen = choose_whole_orders(candidates, available, seconds=args.seconds)
        took = time.perf_counter() - started
        times.append(took)
        print(
            f"run {run}: {took:.3f} s, {'proven best' if chosen.proven else 'time limit reached'}, "
            f"{len(chosen.order_refs)} orders made whole (greedy: {greedy_count(candidates, available)})"
        )
    label = f"complete-first {args.orders} orders x {args.skus} SKUs, stock {args.stock:g}"
    label += f", stock count on {args.db}" if args.db else ""
    label += f", limit {args.seconds:g} s"
    print(
        f"RESULT {label}: {statistics.median(times):.3f} s "
        f"({min(times):.3f}..{max(times):.3f}, n={len(times)}; median, min..max)"
    )


if __name__ == "__main__":
    main()
