"""The KPI rollups (migration 0015) are kept by triggers in step with what they sum, whatever writes
the rows, on SQLite and PostgreSQL: `stock_days` with the ledger, `placed_days` with the lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter

from sqlalchemy import Connection, func, select, text

from pegboard.adapters.db import kpis as facts
from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis import ShippedGroup
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.kpis import Period
from pegboard.services import orders, shipping
from pegboard.views.kpis import kpis
from tests.builders import make_items, make_order, set_stock
from tests.integration.views.kpi_story import day, seed


def ledger_by_day(conn: Connection) -> dict[tuple[int, date], Decimal]:
    m = t.stock_moves.c
    rows = conn.execute(select(m.item_id, m.moved_on, func.sum(m.quantity)).group_by(m.item_id, m.moved_on))
    return {(r[0], r[1]): r[2] for r in rows}


def rolled_up_stock(conn: Connection) -> dict[tuple[int, date], Decimal]:
    d = t.stock_days.c
    return {(r[0], r[1]): r[2] for r in conn.execute(select(d.item_id, d.moved_on, d.quantity))}


def lines_by_day(conn: Connection) -> dict[date, tuple[int, int]]:
    """The stock lines placed per day and those on backorder the day placed, from the lines."""
    found: dict[date, tuple[int, int]] = {}
    rows = conn.execute(
        select(t.sales_orders.c.ordered_at, t.order_lines.c.first_backordered_on)
        .join(t.sales_orders, t.sales_orders.c.id == t.order_lines.c.order_id)
        .where(t.order_lines.c.kind == "stock")
    )
    for ordered_at, first_backordered in rows:
        lines, at_order = found.get(ordered_at.date(), (0, 0))
        found[ordered_at.date()] = (lines + 1, at_order + (first_backordered == ordered_at.date()))
    return found


def rolled_up_lines(conn: Connection) -> dict[date, tuple[int, int]]:
    p = t.placed_days.c
    rows = conn.execute(
        select(p.day, func.sum(p.lines), func.sum(p.backordered_at_order))
        .group_by(p.day)
        .having(func.sum(p.lines) > 0)
    )
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def test_the_rollups_follow_orders_shipments_counts_and_cancellations(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=3, MUG=1)
    make_order(pb, "SO-1", ("KETTLE", 2), ("MUG", 2), ordered_at=datetime(2026, 11, 20, 9))
    make_order(pb, "SO-2", ("KETTLE", 4), ordered_at=datetime(2026, 11, 21, 23, 30))
    make_order(pb, "SO-3", ("MUG", 1))
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    orders.cancel_order("SO-2", uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO)
    set_stock(pb, MUG=5)

    with pb.reader() as uow:
        conn = uow.connection
        assert rolled_up_stock(conn) == ledger_by_day(conn)
        assert rolled_up_lines(conn) == lines_by_day(conn)
        assert rolled_up_lines(conn)[date(2026, 11, 20)] == (2, 1)  # the mugs waited from the start
        assert rolled_up_lines(conn)[date(2026, 11, 21)] == (1, 1)


def test_a_line_that_goes_on_backorder_later_changes_its_day_only_if_it_is_the_day_placed(
    pb: Pegboard,
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    make_order(pb, "SO-1", ("KETTLE", 2), ordered_at=datetime(2026, 11, 20, 9))
    make_order(pb, "SO-2", ("KETTLE", 2), ordered_at=datetime(2026, 11, 21, 9))

    # Written straight in SQL, as a repair or another tool might: the triggers still follow.
    with pb.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE order_lines SET first_backordered_on = :on WHERE order_id = "
                "(SELECT id FROM sales_orders WHERE order_ref = 'SO-1')"
            ),
            {"on": date(2026, 11, 20)},
        )
        conn.execute(
            text(
                "UPDATE order_lines SET first_backordered_on = :on WHERE order_id = "
                "(SELECT id FROM sales_orders WHERE order_ref = 'SO-2')"
            ),
            {"on": date(2026, 11, 25)},
        )

    with pb.reader() as uow:
        conn = uow.connection
        assert rolled_up_lines(conn) == lines_by_day(conn)
        assert rolled_up_lines(conn) == {date(2026, 11, 20): (1, 1), date(2026, 11, 21): (1, 0)}
        report = kpis(conn, today=date(2026, 11, 25), start=date(2026, 11, 20))
        scoped = kpis(conn, today=date(2026, 11, 25), start=date(2026, 11, 20), sku="KETTLE")
    assert (report.lines_placed, report.backordered_at_order) == (2, 1)
    assert (scoped.lines_placed, scoped.backordered_at_order) == (2, 1)


def shipped_both_ways(conn: Connection, period: Period) -> tuple[list[ShippedGroup], list[ShippedGroup]]:
    """The shipped lines from the rollup (every item) and from the lines (every item, named)."""
    everything = facts.Scope(item_ids=tuple(conn.execute(select(t.items.c.id)).scalars()))
    order = attrgetter("first_shipped", "last_shipped", "first_promise", "ordered_on", "whole_at_once")

    def merged(groups: list[ShippedGroup]) -> list[ShippedGroup]:
        counts: dict[ShippedGroup, int] = {}
        for g in groups:
            key = replace(g, lines=0)
            counts[key] = counts.get(key, 0) + g.lines
        return sorted((replace(k, lines=n) for k, n in counts.items()), key=lambda g: (order(g), repr(g)))

    return merged(facts.shipped_lines(conn, period)), merged(facts.shipped_lines(conn, period, everything))


def test_the_shipped_lines_rollup_matches_the_lines_through_the_story_and_promise_changes(
    pb: Pegboard,
) -> None:
    seed(pb)
    period = Period(day(0), day(10))
    with pb.reader() as uow:
        rolled, live = shipped_both_ways(uow.connection, period)
    assert rolled == live and rolled

    # A repair in SQL: a promise's first date moved, another promise removed; the rollup follows.
    with pb.engine.begin() as conn:
        line_ids = list(conn.execute(text("SELECT line_id FROM line_promises ORDER BY line_id")).scalars())
        conn.execute(
            text("UPDATE line_promises SET first_date = :on WHERE line_id = :id"),
            {"on": day(9), "id": line_ids[0]},
        )
        conn.execute(text("DELETE FROM line_promises WHERE line_id = :id"), {"id": line_ids[-1]})
    with pb.reader() as uow:
        rolled, live = shipped_both_ways(uow.connection, period)
    assert rolled == live


def test_the_shipped_lines_rollup_follows_first_dates_that_one_statement_changes_for_many_lines(
    pb: Pegboard,
) -> None:
    """A statement over every promise: some first dates move, some become open term and some
    stay, with every other column rewritten (as a plan run's UPDATE does). The trigger that
    counts them (per row on both databases, migration 0034) misses none and counts none twice."""
    seed(pb)
    period = Period(day(0), day(10))
    with pb.engine.begin() as conn:
        line_ids = list(conn.execute(text("SELECT line_id FROM line_promises ORDER BY line_id")).scalars())
        assert len(line_ids) >= 3
        conn.execute(
            text(
                "UPDATE line_promises SET reason = reason || ' (again)', promised_on = :on, "
                "first_date = CASE line_id % 3 WHEN 0 THEN :on WHEN 1 THEN NULL ELSE first_date END"
            ),
            {"on": day(8)},
        )
        # And one that changes no first date at all.
        conn.execute(text("UPDATE line_promises SET reason = reason || '.', first_date = first_date"))
    with pb.reader() as uow:
        rolled, live = shipped_both_ways(uow.connection, period)
    assert rolled == live and rolled


def journal_by_day(conn: Connection) -> dict[tuple[date, str], tuple[Decimal, Decimal]]:
    je, jl = t.journal_entries.c, t.journal_lines.c
    rows = conn.execute(
        select(je.booked_on, jl.account, func.sum(jl.debit), func.sum(jl.credit))
        .join(t.journal_entries, je.id == jl.entry_id)
        .group_by(je.booked_on, jl.account)
    )
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def rolled_up_journal(conn: Connection) -> dict[tuple[date, str], tuple[Decimal, Decimal]]:
    d = t.journal_days.c
    return {
        (r[0], r[1]): (r[2], r[3]) for r in conn.execute(select(d.booked_on, d.account, d.debit, d.credit))
    }


def test_the_journal_rollup_sums_every_entry_by_day_and_account_whatever_writes_it(pb: Pegboard) -> None:
    seed(pb)
    # Written straight in SQL (two lines in one statement), as a bulk load would: the trigger counts it.
    with pb.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO journal_entries (id, entry_no, booked_on, kind, order_ref, created_at) "
                "VALUES (9001, 9001, :day, 'payment', 'SO-5', :at)"
            ),
            {"day": day(9), "at": datetime(2026, 11, 11, 9)},
        )
        conn.execute(
            text(
                "INSERT INTO journal_lines (entry_id, line_no, account, debit, credit, order_ref) VALUES "
                "(9001, 1, '1000', 5000000, 0, 'SO-5'), (9001, 2, '2100', 0, 5000000, 'SO-5')"
            )
        )

    with pb.reader() as uow:
        conn = uow.connection
        assert rolled_up_journal(conn) == journal_by_day(conn)
        # SO-2 paid 150 on day 0 and SO-4 250 on day 7; SO-5's 5 came in by SQL on day 9.
        assert rolled_up_journal(conn)[(day(0), "2100")] == (Decimal(0), Decimal(150))
        assert rolled_up_journal(conn)[(day(9), "1000")] == (Decimal(5), Decimal(0))
        money = facts.journal_money(conn, Period.of(today=day(10), start=day(0), end=day(10)))
    # Deposits: 250 held from day 7 (kpi_story), and the 5 of day 9.
    assert (money.deposits_held, money.revenue_shipped) == (Decimal(255), Decimal(350))
