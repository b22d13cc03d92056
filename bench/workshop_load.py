"""The workshop of `bench/plan_workload.py` written straight into a database, for bench set-up only.

The CSV imports (`bench_quote.load_workshop`) save items and counts one statement at a time and
parse every order row: M took 322 s on SQLite and 739 s on PostgreSQL, L would take over an hour.
This loader writes the same rows in one transaction: COPY on PostgreSQL, executemany on SQLite.
Orders still go through the domain (`SalesOrder.open` takes what stock is left, oldest first,
and records the events), so allocations, backorder dates, statuses, the items' kept totals and
the outbox come out as placing the orders would give; the rollup tables follow from the same
triggers. `tests/integration/test_bench_workshop_load.py` checks, on both databases, that the
rows equal those of the CSV imports (keys and clock times aside) and that the invariants hold.
Optionally one plan run then stores the promises.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from more_itertools import chunked
from sqlalchemy import Connection, Table, create_engine, insert, select, text

from bench import bench_quote
from bench.common import POSTGRES_ADMIN_URL, machine, open_board
from bench.plan_workload import SIZES, plan_workload
from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import upgrade
from pegboard.adapters.db.repositories.orders import line_row
from pegboard.bootstrap import Pegboard
from pegboard.domain.events import Event, StockAdjusted
from pegboard.domain.quantities import Quantity
from pegboard.domain.sales import LineKind, SalesOrder, SalesOrderLine
from pegboard.planning.snapshot import PlanInput
from pegboard.services import planning

#: Orders built and written per round, so that L's million lines never sit in memory as objects.
ORDERS_PER_ROUND = 50_000
STOCK_REASON = "stock import"


class _Stock:
    """What is left of one item's stock as orders take it, oldest first (`Reserves`)."""

    __slots__ = ("left",)

    def __init__(self, left: Decimal) -> None:
        self.left = left

    def reserve(self, quantity: Decimal) -> Decimal:
        taken = min(self.left, quantity)
        self.left -= taken
        return taken


class _Stocked:
    """Every bench item is sold from stock: no drop-ship items, no release dates."""

    def line_kind(self, on: date) -> LineKind:
        return LineKind.STOCK


def load_into(url: str, snapshot: PlanInput, *, csv: bool = False) -> None:
    """The workshop into the database, written straight or through the CSV imports (untimed)."""
    pb = open_board(url)
    try:
        pb.clock = FixedClock(snapshot.today)
        if csv:
            bench_quote.load_workshop(pb, snapshot)
        else:
            load_fast(pb, snapshot)
    finally:
        pb.close()


def load_fast(pb: Pegboard, snapshot: PlanInput, *, plan: bool = False) -> None:
    """The workshop into `pb`'s empty database in one transaction; with `plan`, one plan run after."""
    now = pb.clock.now()
    with pb.engine.begin() as conn:
        writer = _Writer(conn, now)
        suppliers = _suppliers(writer, snapshot)
        orders = _orders(snapshot)
        taken, waiting, events = _open_all(orders, snapshot)
        items = _items(writer, snapshot, suppliers, taken, waiting)
        writer.write(
            t.bom_lines,
            [
                {
                    "parent_id": items[b.parent_sku],
                    "component_id": items[b.component_sku],
                    "quantity": b.quantity_per,
                }
                for b in snapshot.bom_lines
            ],
        )
        _stock(writer, snapshot, items)
        _purchases(writer, snapshot, suppliers, items)
        for chunk in chunked(orders, ORDERS_PER_ROUND):
            _write_orders(writer, chunk, items)
        writer.events(events)
        conn.execute(insert(t.plan_input_changes).values(changed_at=now, placed_orders=None))
    if plan:
        planning.run_plan(uow=pb.uow(), clock=pb.clock)


class _Writer:
    """Rows into tables: COPY on PostgreSQL, executemany elsewhere; events numbered as the outbox does."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now, self.written = conn, now, 0

    def write(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(insert(table), list(rows))
            return
        columns = list(rows[0])
        processors = [table.c[name].type.bind_processor(self.conn.dialect) for name in columns]
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for process, value in zip(processors, row.values(), strict=True)
                    ]
                )

    def events(self, events: Iterable[tuple[Event, str | None]]) -> None:
        """Append events in this order, each a microsecond after the one before (`SqlOutbox.append`)."""
        for chunk in chunked(events, 100_000):
            rows = []
            for event, _ in chunk:
                payload = event.payload()
                rows.append(
                    {
                        "id": str(uuid.uuid4()),
                        "event_type": event.name,
                        "payload": json.dumps(payload, sort_keys=True),
                        "created_at": self.now + timedelta(microseconds=self.written),
                        "order_ref": payload.get("order_ref"),
                    }
                )
                self.written += 1
            self.write(t.outbox, rows)

    def ids(self, table: Table, key: str) -> dict[str, int]:
        found = self.conn.execute(select(table.c[key], table.c.id)).all()
        return {k: int(i) for k, i in found}


def _suppliers(writer: _Writer, snapshot: PlanInput) -> dict[str, int]:
    names = sorted({item.supplier for item in snapshot.items if item.supplier})
    writer.write(t.suppliers, [{"name": name, "email": None, "lead_time_days": 7} for name in names])
    return writer.ids(t.suppliers, "name")


def _orders(snapshot: PlanInput) -> list[SalesOrder]:
    """The snapshot's backorders as orders, placed oldest first (the CSV import's grouping)."""
    by_ref: dict[str, SalesOrder] = {}
    for d in snapshot.demands:
        order = by_ref.get(d.order_ref)
        if order is None:
            order = by_ref[d.order_ref] = SalesOrder(
                order_ref=d.order_ref,
                customer="Customer",
                ordered_at=d.ordered_at,
                lines=[],
                priority=d.priority,
            )
        order.lines.append(SalesOrderLine(len(order.lines) + 1, d.sku, Quantity(d.quantity)))
    return sorted(by_ref.values(), key=lambda o: o.ordered_at)


def _open_all(
    orders: list[SalesOrder], snapshot: PlanInput
) -> tuple[dict[str, Decimal], dict[str, Decimal], list[tuple[Event, str | None]]]:
    """Open each order against what stock is left; what each item gave and what waits for it,
    and the events in the order placing records them (counts first, then the orders)."""
    stocks = {item.sku: _Stock(snapshot.available.get(item.sku, Decimal(0))) for item in snapshot.items}
    terms = {item.sku: _Stocked() for item in snapshot.items}
    events: list[tuple[Event, str | None]] = [
        (StockAdjusted(sku, Quantity(q), STOCK_REASON), None) for sku, q in snapshot.available.items() if q
    ]
    waiting = dict.fromkeys(stocks, Decimal(0))
    for order in orders:
        order.open(stocks, terms)  # type: ignore[arg-type]
        events += ((event, order.order_ref) for _, event in order.events.take())
        for line in order.lines:
            waiting[line.sku] += line.backordered_quantity
    taken = {sku: snapshot.available.get(sku, Decimal(0)) - stock.left for sku, stock in stocks.items()}
    return taken, waiting, events


def _items(
    writer: _Writer,
    snapshot: PlanInput,
    suppliers: Mapping[str, int],
    taken: Mapping[str, Decimal],
    waiting: Mapping[str, Decimal],
) -> dict[str, int]:
    writer.write(
        t.items,
        [
            {
                "sku": i.sku,
                "name": i.sku,
                "procurement": i.procurement,
                "lead_time_days": i.lead_time_days,
                "supplier_id": suppliers[i.supplier] if i.supplier else None,
                "safety_stock": i.safety_stock,
                "reorder_point": i.reorder_point,
                "reorder_qty": i.reorder_qty,
                "min_order_qty": i.min_order_qty,
                "order_multiple": i.order_multiple,
                "on_hand": snapshot.available.get(i.sku, Decimal(0)),
                "allocated": taken[i.sku],
                "waiting": waiting[i.sku],
            }
            for i in snapshot.items
        ],
    )
    return writer.ids(t.items, "sku")


def _stock(writer: _Writer, snapshot: PlanInput, items: Mapping[str, int]) -> None:
    """The counts: one adjustment each, valued at no cost (the bench items have none)."""
    today, now = snapshot.today, writer.now
    counted = [(items[sku], q) for sku, q in snapshot.available.items() if q]
    writer.write(
        t.stock_moves,
        [
            {
                "item_id": item_id,
                "location": "MAIN",
                "quantity": q,
                "kind": "adjustment",
                "reference": "count",
                "reason": STOCK_REASON,
                "moved_on": today,
                "created_at": now,
            }
            for item_id, q in counted
        ],
    )
    writer.write(
        t.stock_values,
        [
            {
                "item_id": item_id,
                "moved_on": today,
                "kind": "adjustment",
                "reference": "count",
                "quantity": q,
                "value": Decimal(0),
                "created_at": now,
            }
            for item_id, q in counted
        ],
    )


def _purchases(
    writer: _Writer, snapshot: PlanInput, suppliers: Mapping[str, int], items: Mapping[str, int]
) -> None:
    """One PO per purchase line (`bench_quote.csv_files` numbers them so), at its item's supplier."""
    supplier_of = {item.sku: item.supplier for item in snapshot.items}
    first = sorted(suppliers)[0]
    refs = [f"PO-{k:06d}" for k in range(len(snapshot.purchase_lines))]
    writer.write(
        t.purchase_orders,
        [
            {
                "po_ref": ref,
                "supplier_id": suppliers[supplier_of[p.sku] or first],
                "status": "open",
                "created_at": writer.now,
            }
            for ref, p in zip(refs, snapshot.purchase_lines, strict=True)
        ],
    )
    ids = writer.ids(t.purchase_orders, "po_ref")
    writer.write(
        t.purchase_order_lines,
        [
            {
                "po_id": ids[ref],
                "line_no": 1,
                "item_id": items[p.sku],
                "quantity": p.open_quantity,
                "received": Decimal(0),
                "expected_date": p.expected_date,
            }
            for ref, p in zip(refs, snapshot.purchase_lines, strict=True)
        ],
    )


def _write_orders(writer: _Writer, orders: Sequence[SalesOrder], items: Mapping[str, int]) -> None:
    writer.write(
        t.sales_orders,
        [
            {
                "order_ref": o.order_ref,
                "customer": o.customer,
                "email": o.email,
                "ordered_at": o.ordered_at,
                "priority": o.priority,
                "ship_policy": o.ship_policy.value,
                "status": o.status.value,
                "created_at": writer.now,
                "source": o.source,
            }
            for o in orders
        ],
    )
    refs = [o.order_ref for o in orders]
    ids = dict(
        writer.conn.execute(
            select(t.sales_orders.c.order_ref, t.sales_orders.c.id).where(
                t.sales_orders.c.order_ref.between(min(refs), max(refs))
            )
        ).all()
    )
    writer.write(t.order_lines, list(_line_rows(orders, ids, items)))


def _line_rows(
    orders: Sequence[SalesOrder], ids: Mapping[str, int], items: Mapping[str, int]
) -> Iterator[dict[str, Any]]:
    for order in orders:
        for line in order.lines:
            yield line_row(ids[order.order_ref], line, items[line.sku])


def create_kept(name: str) -> str:
    """A new, migrated PostgreSQL database `name` on the bench server, kept after the run."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def analyse(url: str) -> None:
    """Planner statistics for the loaded tables, as autovacuum gathers them soon after a load on a
    server that runs it (the bench server may not: without them every row count is a guess)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Load a workshop of bench/plan_workload.py into a new PostgreSQL database that is kept."
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--name", required=True, help="the database to (re)create, e.g. s8_quote12_L")
    parser.add_argument("--plan", action="store_true", help="run the plan once after loading")
    args = parser.parse_args()
    print(machine(), flush=True)
    started = time.perf_counter()
    snapshot = plan_workload(*SIZES[args.size])
    print(f"{args.size}: generated in {time.perf_counter() - started:.1f} s", flush=True)
    url = create_kept(args.name)
    pb = open_board(url)
    try:
        pb.clock = FixedClock(snapshot.today)
        started = time.perf_counter()
        load_fast(pb, snapshot)
        print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
        analyse(url)
        if args.plan:
            started = time.perf_counter()
            planning.run_plan(uow=pb.uow(), clock=pb.clock)
            print(f"planned in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        pb.close()
    print(url)


if __name__ == "__main__":
    main()
