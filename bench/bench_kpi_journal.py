"""The KPIs' money from a year of journal: the two sums before (deposits, revenue) against the one
grouped read that also gives them per day (`adapters/db/kpis/journal.py`).

    python -m bench.bench_kpi_journal --db postgres --orders 100000 --runs 7

Set-up (untimed): a migrated database; per order, written straight in SQL over the year before the
benchmarks' date, a payment (cash / deposit) and one shipment entry (deposit / revenue, cost of
goods / inventory), and for every fifth order a second shipment: about 2.2 entries and 8.8 lines an
order. `bench_kpis.py` writes no journal, so its timings leave this part out.

Timed, alternating in the same run: `before` (the two sums of the previous code, kept here) and
`after` (`journal_money`), for the last 30 days and for the whole year; median of `--runs`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Connection, create_engine, func, select, text

from bench.common import fresh_database, machine
from bench.workload import TODAY
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis import journal_money
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.books import Account
from pegboard.domain.kpis import Period

YEAR_START = TODAY - timedelta(days=365)
MICRO = 1_000_000

SEED = [
    # Entries: per order n, a payment (id 3n+1), a first shipment (3n+2), every fifth a second (3n+3).
    """INSERT INTO journal_entries (id, entry_no, booked_on, kind, order_ref, created_at)
       SELECT 3 * n + k, 3 * n + k, CAST(:start AS date) + ((n * 365) / :orders + k)::int,
              CASE k WHEN 1 THEN 'payment' ELSE 'shipment' END, 'SO-' || n, now()
       FROM generate_series(0, :orders - 1) AS n, generate_series(1, 3) AS k
       WHERE k < 3 OR n % 5 = 0""",
    """INSERT INTO journal_lines (entry_id, line_no, account, debit, credit, order_ref)
       SELECT e.id, l.no, l.account, l.debit * :micro, l.credit * :micro, e.order_ref
       FROM journal_entries e
       CROSS JOIN LATERAL (VALUES (1, '1000', 120, 0), (2, '2100', 0, 120)) AS l(no, account, debit, credit)
       WHERE e.kind = 'payment'""",
    """INSERT INTO journal_lines (entry_id, line_no, account, debit, credit, order_ref)
       SELECT e.id, l.no, l.account, l.debit * :micro, l.credit * :micro, e.order_ref
       FROM journal_entries e
       CROSS JOIN LATERAL (VALUES (1, '2100', 50, 0), (2, '4000', 0, 50), (3, '5000', 20, 0),
                                  (4, '1200', 0, 20)) AS l(no, account, debit, credit)
       WHERE e.kind = 'shipment'""",
    "ANALYZE journal_entries",
    "ANALYZE journal_lines",
]


def before(conn: Connection, period: Period) -> tuple[Decimal, Decimal]:
    """The previous code: two sums, deposits to the period's end and revenue in it."""
    je, jl = t.journal_entries.c, t.journal_lines.c
    net = func.sum(jl.credit - jl.debit, type_=ExactDecimal())
    deposits = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(jl.account == Account.DEPOSITS.value, je.booked_on <= period.end)
    ).scalar()
    revenue = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(jl.account == Account.REVENUE.value, je.booked_on >= period.start, je.booked_on <= period.end)
    ).scalar()
    return deposits or Decimal(0), revenue or Decimal(0)


def after(conn: Connection, period: Period) -> tuple[Decimal, Decimal]:
    found = journal_money(conn, period)
    return found.deposits_held, found.revenue_shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(machine())
    with fresh_database(args.db) as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for statement in SEED:
                    if args.db == "sqlite" and statement.startswith("ANALYZE"):
                        statement = "ANALYZE"
                    if args.db == "sqlite":
                        statement = statement.replace("now()", "CURRENT_TIMESTAMP")
                    conn.execute(
                        text(statement), {"start": YEAR_START, "orders": args.orders, "micro": MICRO}
                    )
                lines = conn.execute(text("SELECT count(*) FROM journal_lines")).scalar()
            print(f"journal lines: {lines}")
            periods = {
                "last 30 days": Period.of(today=TODAY),
                "whole year": Period.of(today=TODAY, start=YEAR_START, end=TODAY),
            }
            for name, period in periods.items():
                times: dict[str, list[float]] = {"before": [], "after": []}
                results = {}
                for _ in range(args.runs):
                    for label, read in (("before", before), ("after", after)):
                        with engine.connect() as conn:
                            started = time.perf_counter()
                            results[label] = read(conn, period)
                            times[label].append(time.perf_counter() - started)
                assert results["before"] == results["after"], results
                print(
                    f"{name}: before {statistics.median(times['before']) * 1000:.1f} ms, "
                    f"after {statistics.median(times['after']) * 1000:.1f} ms "
                    f"(medians of {args.runs}; same figures {results['after']})"
                )
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
