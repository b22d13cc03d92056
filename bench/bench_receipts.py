"""Receipts and stock counts through the service layer, one transaction each.

    python -m bench.bench_receipts --db sqlite --orders 1000 --runs 3

Each run gets a fresh database with the workload's catalogue, stock and POs imported and its
orders placed (untimed). Then every PO is received in two parts (`purchasing.receive`, which
hands the stock to waiting lines and re-promises them), and every bought SKU's stock is counted
one below what is on hand (`stock.count`, which takes stock back from the newest lines), each with
`with_retries` as the CLI and the API do. Both are timed per call.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from decimal import Decimal

from bench.common import fresh_database, load_catalogue, machine, open_board, percentile, spread
from bench.workload import Sizes, generate
from pegboard.bootstrap import Pegboard
from pegboard.services import purchasing, stock
from pegboard.services.orders import place_order
from pegboard.services.runner import with_retries


def timed(calls: list[Callable[[], object]]) -> tuple[list[float], float]:
    """Run the calls one by one: each one's wall time, and the process CPU of them all."""
    latencies = []
    cpu = time.process_time()
    for call in calls:
        started = time.perf_counter()
        with_retries(call)
        latencies.append(time.perf_counter() - started)
    return latencies, time.process_time() - cpu


def receipts(pb: Pegboard, po_rows: list[dict[str, str]]) -> list[Callable[[], object]]:
    """Each PO received in two parts: the first half (rounded down, at least 1), then the rest."""

    def receive(po_ref: str, sku: str, quantity: int) -> Callable[[], object]:
        return lambda: purchasing.receive(
            po_ref, sku, Decimal(quantity), uow=pb.uow(), clock=pb.clock, policy=pb.policy
        )

    calls = []
    for row in po_rows:
        quantity = int(row["quantity"])
        first = max(1, quantity // 2)
        calls += [receive(row["po_ref"], row["sku"], part) for part in (first, quantity - first) if part]
    return calls


def counts(pb: Pegboard, skus: list[str]) -> list[Callable[[], object]]:
    """Each SKU counted one below what is on hand (nothing when there is none)."""
    with pb.reader() as uow:
        on_hand = {sku: s.on_hand for sku, s in uow.stock.levels(skus).items()}

    def count(sku: str) -> Callable[[], object]:
        counted = {sku: max(on_hand[sku] - 1, Decimal(0))}
        return lambda: stock.count(counted, reason="bench", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    return [count(sku) for sku in skus]


def report(label: str, latencies: list[float], cpu: float) -> tuple[float, float]:
    """Print one run's figures; returns (wall ms, client CPU ms) per call."""
    ms = [x * 1000 for x in latencies]
    rate = len(ms) / (sum(latencies) or 1)
    print(
        f"{label}: {len(ms)} in {sum(latencies):.2f} s, {rate:.1f}/s; "
        f"latency p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms; "
        f"client CPU {cpu * 1000 / len(ms):.2f} ms each",
        flush=True,
    )
    return sum(ms) / len(ms), cpu * 1000 / len(ms)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Receipts and counts through the service layer")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--runs", type=int, default=1, help="fresh database each run; the median is reported")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    work = generate(Sizes(orders=args.orders, skus=args.skus, seed=args.seed))
    po_rows = work.rows["purchase-orders"]
    bought = sorted({row["sku"] for row in po_rows})
    label = f"db={args.db} orders={args.orders} skus={args.skus}"
    print(f"# {machine()}", flush=True)
    received: list[tuple[float, float]] = []
    counted: list[tuple[float, float]] = []
    for run in range(1, args.runs + 1):
        with fresh_database(args.db) as url:
            pb = open_board(url)
            try:
                load_catalogue(pb, work)
                for draft in work.drafts():
                    place_order(draft, uow=pb.uow(), clock=pb.clock)
                received.append(report(f"receipts {label} run {run}", *timed(receipts(pb, po_rows))))
                counted.append(report(f"counts {label} run {run}", *timed(counts(pb, bought))))
            finally:
                pb.close()
    for what, runs in (("receipt", received), ("count", counted)):
        wall = spread([w * 1000 for w, _ in runs])
        cpu = spread([c * 1000 for _, c in runs])
        print(f"RESULT {what} {label}: wall {wall} us, client CPU {cpu} us per {what} (median, min..max)")


if __name__ == "__main__":
    main()
