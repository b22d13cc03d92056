"""The KPIs over a year of history: `views.kpis.kpis` on 100k orders (PostgreSQL or SQLite).

    python -m bench.bench_kpis --db postgres --orders 100000 --runs 5

Set-up (untimed): the workload's catalogue, stock and POs are imported, then its orders, spread
evenly over the year before the benchmarks' date, through the CSV import (each order allocated or
backordered as it is placed). The year's history is then written straight in SQL, as the services
would have left it: most lines ship 0 to 3 days after their order; backorders older than five
weeks are served 1 to 30 days after they opened (a receipt, then a shipment of the rest), with a
first promise 5 to 25 days after they opened; every PO is received 2 days early to 7 days late,
a third of them rescheduled first; every shipment and receipt is in the stock ledger. Orders of
the last five weeks keep their backorders open.

Timed: the whole read model (every figure, the daily series, suppliers and stockouts) for the last
30 days (the default), for the whole year, and for one SKU over the year; median of `--runs`.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from bench.common import cpu_used, fresh_database, load_catalogue, machine, open_board, process_cpu
from bench.workload import TODAY, Sizes, generate
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services.imports import ImportKind, import_csv
from pegboard.views.kpis import kpis

YEAR_START = TODAY - timedelta(days=365)

HISTORY = [
    # Backorders opened more than five weeks ago are served: stock came 1 to 30 days later.
    """UPDATE order_lines SET backorder_ended_on = first_backordered_on + 1 + (random() * 29)::int,
           backordered_on = NULL
       WHERE first_backordered_on IS NOT NULL AND first_backordered_on < :served_before""",
    # Their first promise: 5 to 25 days after they opened.
    """INSERT INTO promise_parts (parts_key, parts)
       VALUES (('x' || left(md5('[]'), 16))::bit(64)::bigint, '[]') ON CONFLICT DO NOTHING""",
    """INSERT INTO line_promises (line_id, promised_date, reason, basis, promised_on, first_date,
           first_promised_on, item_id, parts_key)
       SELECT id, first_backordered_on + 5 + (random() * 20)::int, 'bench', '', first_backordered_on,
              first_backordered_on + 5 + (random() * 20)::int, first_backordered_on, item_id,
              ('x' || left(md5('[]'), 16))::bit(64)::bigint
       FROM order_lines WHERE first_backordered_on IS NOT NULL""",
    # First shipments: what was allocated when placed, 0 to 3 days after the order.
    """INSERT INTO shipments (shipment_ref, order_id, shipped_on, created_at)
       SELECT so.order_ref || '-S1', so.id, CAST(so.ordered_at AS date) + (random() * 3)::int, so.ordered_at
       FROM sales_orders so
       WHERE so.ordered_at < :served_before AND EXISTS (
           SELECT 1 FROM order_lines ol WHERE ol.order_id = so.id AND ol.allocated > 0)""",
    """INSERT INTO shipment_lines (shipment_id, line_no, item_id, quantity)
       SELECT sh.id, ol.line_no, ol.item_id, ol.allocated
       FROM shipments sh JOIN order_lines ol ON ol.order_id = sh.order_id
       WHERE sh.shipment_ref LIKE '%-S1' AND ol.allocated > 0""",
    # Second shipments: the rest of the served backorders, 0 to 2 days after stock came.
    """INSERT INTO shipments (shipment_ref, order_id, shipped_on, created_at)
       SELECT so.order_ref || '-S2', so.id, MAX(ol.backorder_ended_on) + (random() * 2)::int, so.ordered_at
       FROM sales_orders so JOIN order_lines ol ON ol.order_id = so.id
       WHERE ol.backorder_ended_on IS NOT NULL GROUP BY so.id, so.order_ref""",
    """INSERT INTO shipment_lines (shipment_id, line_no, item_id, quantity)
       SELECT sh.id, ol.line_no, ol.item_id, ol.quantity - ol.allocated
       FROM shipments sh JOIN order_lines ol ON ol.order_id = sh.order_id
       WHERE sh.shipment_ref LIKE '%-S2' AND ol.backorder_ended_on IS NOT NULL""",
    # Receipts of what the served backorders waited for, and every shipment, in the ledger.
    """INSERT INTO stock_moves (item_id, location, quantity, kind, reference, reason, moved_on, created_at)
       SELECT ol.item_id, 'MAIN', ol.quantity - ol.allocated, 'receipt', 'BENCH', '', ol.backorder_ended_on,
              now()
       FROM order_lines ol WHERE ol.backorder_ended_on IS NOT NULL""",
    """INSERT INTO stock_moves (item_id, location, quantity, kind, reference, reason, moved_on, created_at)
       SELECT sl.item_id, 'MAIN', -sl.quantity, 'shipment', sh.shipment_ref, '', sh.shipped_on, now()
       FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id""",
    # The lines shipped are whole; their orders are shipped when every line is.
    """UPDATE order_lines SET shipped = quantity, allocated = 0
       WHERE order_id IN (SELECT order_id FROM shipments)
         AND (backorder_ended_on IS NOT NULL OR first_backordered_on IS NULL)""",
    """UPDATE sales_orders SET status = 'shipped' WHERE id IN (SELECT order_id FROM shipments)
         AND NOT EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = sales_orders.id
                         AND ol.shipped < ol.quantity)""",
    # What each line keeps of its shipments (as the repository records them when shipping).
    """UPDATE order_lines SET first_shipped_on = s.first_on, last_shipped_on = s.last_on,
           shipped_whole_at_once = (s.n = 1 AND order_lines.shipped = order_lines.quantity)
       FROM (SELECT sh.order_id, sl.line_no, MIN(sh.shipped_on) AS first_on, MAX(sh.shipped_on) AS last_on,
                    COUNT(*) AS n
             FROM shipments sh JOIN shipment_lines sl ON sl.shipment_id = sh.id
             GROUP BY sh.order_id, sl.line_no) AS s
       WHERE order_lines.order_id = s.order_id AND order_lines.line_no = s.line_no""",
    # POs: a third rescheduled by 1 to 10 days; all received 2 days early to 7 days late.
    """UPDATE purchase_order_lines SET expected_date = :po_due - (random() * 300)::int
       WHERE expected_date IS NOT NULL""",
    """INSERT INTO expected_date_changes (supply_ref, kind, old_date, new_date, changed_on, created_at)
       SELECT po.po_ref, 'po', pol.expected_date, pol.expected_date + 1 + (random() * 9)::int,
              pol.expected_date - 3, now()
       FROM purchase_orders po JOIN purchase_order_lines pol ON pol.po_id = po.id
       WHERE pol.expected_date IS NOT NULL AND random() < 0.33""",
    """INSERT INTO stock_moves (item_id, location, quantity, kind, reference, reason, moved_on, created_at)
       SELECT pol.item_id, 'MAIN', pol.quantity, 'receipt', po.po_ref, '',
              pol.expected_date - 2 + (random() * 9)::int, now()
       FROM purchase_orders po JOIN purchase_order_lines pol ON pol.po_id = po.id
       WHERE pol.expected_date IS NOT NULL""",
    "UPDATE purchase_order_lines SET received = quantity WHERE expected_date IS NOT NULL",
]


def spread_over_a_year(work_rows: list[dict[str, str]]) -> None:
    """Give the orders, in order, dates spread evenly over the year before TODAY."""
    refs = list(dict.fromkeys(row["order_ref"] for row in work_rows))
    step = timedelta(days=364) / max(1, len(refs))
    start = datetime.combine(YEAR_START, datetime.min.time()) + timedelta(hours=8)
    at = {ref: (start + step * n).isoformat(timespec="seconds") for n, ref in enumerate(refs)}
    for row in work_rows:
        row["ordered_at"] = at[row["order_ref"]]


def write_history(conn: Connection) -> None:
    """The year's shipments, receipts, reschedules and promises, as described above."""
    params = {"served_before": TODAY - timedelta(days=35), "po_due": TODAY}
    for statement in HISTORY:
        conn.execute(text(statement), params)
    conn.execute(text("ANALYZE"))


def seed(url: str, orders: int) -> dict[str, int]:
    """A year of history for `orders` orders; row counts of the main tables."""
    work = generate(Sizes(orders=orders))
    spread_over_a_year(work.rows["orders"])
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
        with pb.engine.begin() as conn:
            write_history(conn)
        with pb.engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("sales_orders", "order_lines", "shipments", "stock_moves", "line_promises")
            }
    finally:
        pb.close()


def timed(
    url: str, runs: int, *, serial: bool = False, **period: date | str
) -> tuple[list[float], list[float]]:
    """Wall seconds for the whole read model, `runs` times (each in its own read transaction),
    and the CPU seconds it used: this process plus the PostgreSQL backend serving it. On a
    shared machine the CPU time says what the work costs; the wall time also counts waiting.
    PostgreSQL's parallel workers are not counted: `serial` keeps every query in the backend."""
    pb = open_board(url)
    database = make_url(url).database
    seconds, cpu = [], []
    try:
        for _ in range(runs):
            with pb.reader() as uow:
                if serial:
                    # One process does the whole query, so the CPU read from /proc is all of it.
                    uow.connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
                backend_before = process_cpu(postgres_database=database)
                mine_before = time.process_time()
                started = time.perf_counter()
                kpis(uow.connection, today=TODAY, **period)  # type: ignore[arg-type]
                seconds.append(time.perf_counter() - started)
                mine = time.process_time() - mine_before
                cpu.append(mine + cpu_used(backend_before, process_cpu(postgres_database=database)))
    finally:
        pb.close()
    return seconds, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="Time a database seeded before (by this script) instead of a new one.")
    parser.add_argument("--serial", action="store_true", help="No parallel workers (CPU fully counted).")
    args = parser.parse_args(argv)
    if args.db == "sqlite":
        raise SystemExit("the history is written in PostgreSQL's SQL; run with --db postgres")
    print(machine())
    if args.url:
        measure(args.url, args.runs, serial=args.serial)
        return
    with fresh_database(args.db) as url:
        started = time.perf_counter()
        counts = seed(url, args.orders)
        print(f"seeded in {time.perf_counter() - started:.0f} s: {counts}")
        measure(url, args.runs, serial=args.serial)


def measure(url: str, runs: int, *, serial: bool = False) -> None:
    """Time the three cases on a seeded database."""
    pb = open_board(url)
    try:
        with pb.reader() as uow:
            sku = uow.connection.execute(
                text(
                    "SELECT i.sku FROM order_lines ol JOIN items i ON i.id = ol.item_id "
                    "GROUP BY i.sku ORDER BY count(*) DESC LIMIT 1"
                )
            ).scalar_one()
    finally:
        pb.close()
    cases: dict[str, dict[str, date | str]] = {
        "last 30 days (default)": {},
        "the whole year": {"start": YEAR_START},
        f"the whole year, SKU {sku} (the best seller)": {"start": YEAR_START, "sku": sku},
    }
    for name, period in cases.items():
        seconds, cpu = timed(url, runs, serial=serial, **period)
        print(
            f"{name}: median {statistics.median(seconds):.3f} s "
            f"({min(seconds):.3f}..{max(seconds):.3f}, n={len(seconds)}); "
            f"CPU median {statistics.median(cpu):.3f} s ({min(cpu):.3f}..{max(cpu):.3f})"
        )


if __name__ == "__main__":
    main()
