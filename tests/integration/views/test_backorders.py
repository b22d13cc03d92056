"""Backorders consolidated per SKU, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, text

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import orders, planning, stock
from pegboard.views.backorders import backorder_totals, backorders_by_sku
from tests.builders import make_items, make_order
from tests.integration.views.story import after_first_shipments, in_days, order_green_crystals


def test_backorders_are_consolidated_per_sku_with_units_orders_age_and_promise_range(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        (green,) = backorders_by_sku(uow.connection, today=in_days(pb, 3))

    assert (green.sku, green.name, green.units, green.orders, green.oldest_days) == (
        "SABER-GREEN",
        "Green lightsaber",
        Decimal(3),
        2,
        3,
    )
    assert (green.earliest_promise, green.latest_promise, green.undated) == (
        in_days(pb, 1),
        in_days(pb, 15),
        False,
    )
    assert [(line.order_ref, line.customer, line.quantity) for line in green.lines] == [
        ("SO-1", "Luke", 1),
        ("SO-2", "Leia", 2),
    ]
    assert "PO-1" in green.lines[1].reason and "2026-" not in green.lines[1].reason


def test_a_line_never_promised_or_on_open_term_marks_its_sku_undated(pb: Pegboard) -> None:
    after_first_shipments(pb)
    with pb.reader() as uow:
        (before_plan,) = backorders_by_sku(uow.connection, today=pb.clock.today())
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    with pb.reader() as uow:
        (planned,) = backorders_by_sku(uow.connection, today=pb.clock.today())

    assert before_plan.undated and not any(line.planned for line in before_plan.lines)
    assert (
        planned.undated
        and planned.earliest_promise == in_days(pb, 1)
        and planned.latest_promise == in_days(pb, 1)
    )
    assert [line.promised_date for line in planned.lines] == [in_days(pb, 1), None]


def test_a_promise_resting_on_a_firm_mo_names_it_as_pegged_supply(pb: Pegboard) -> None:
    after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        (green,) = backorders_by_sku(uow.connection, today=pb.clock.today(), sku="SABER-GREEN")
        nothing = backorders_by_sku(uow.connection, today=pb.clock.today(), sku="SABER-BLUE")

    assert green.supply_refs and all(ref.startswith("MO-") for ref in green.supply_refs)
    assert nothing == []


def test_skus_are_paged_and_lines_capped_while_the_figures_count_every_line(pb: Pegboard) -> None:
    after_first_shipments(pb)
    make_order(pb, "SO-9", ("SABER-BLUE", 5), customer="Rey")  # 3 in stock, 2 on backorder

    with pb.reader() as uow:
        first = backorders_by_sku(uow.connection, today=pb.clock.today(), limit=1, lines_per_sku=1)
        second = backorders_by_sku(uow.connection, today=pb.clock.today(), limit=1, offset=1)
        totals = backorder_totals(uow.connection)

    assert len(first) == len(second) == 1  # both wait since today: the item's id breaks the tie
    assert {s.sku for s in first + second} == {"SABER-BLUE", "SABER-GREEN"}
    green = next(s for s in first + second if s.sku == "SABER-GREEN")
    blue = next(s for s in first + second if s.sku == "SABER-BLUE")
    assert (blue.units, blue.line_count, [line.order_ref for line in blue.lines]) == (2, 1, ["SO-9"])
    assert (green.units, green.line_count) == (3, 2)
    capped = first[0]
    assert len(capped.lines) == 1 and capped.line_count == (2 if capped.sku == "SABER-GREEN" else 1)
    assert totals == (5, 2)


def test_a_page_walked_from_the_oldest_lines_ranks_skus_as_grouping_every_line_does(pb: Pegboard) -> None:
    make_items(pb, "AMBER-KETTLE", "BLUE-KETTLE", "CORAL-KETTLE", "DUSK-KETTLE", "EBONY-KETTLE")
    for n, sku in enumerate(["EBONY-KETTLE", "CORAL-KETTLE", "AMBER-KETTLE", "DUSK-KETTLE", "BLUE-KETTLE"]):
        make_order(pb, f"SO-{n}", (sku, 2))
    make_order(pb, "SO-9", ("CORAL-KETTLE", 1), ("AMBER-KETTLE", 1))
    today = pb.clock.today()
    # Opening days: CORAL's oldest line 9 days ago, EBONY and AMBER tied 5 days ago (item id
    # breaks the tie), DUSK today, BLUE with no opening day at all (it comes last).
    opened = {"SO-1": 9, "SO-0": 5, "SO-2": 5, "SO-9": 2, "SO-3": 0}
    with pb.engine.begin() as conn:
        for ref, days in opened.items():
            conn.execute(
                text(
                    "UPDATE order_lines SET backordered_on = :day WHERE order_id = "
                    "(SELECT id FROM sales_orders WHERE order_ref = :ref)"
                ),
                {"day": today - timedelta(days=days), "ref": ref},
            )
        conn.execute(
            text(
                "UPDATE order_lines SET backordered_on = NULL WHERE order_id = "
                "(SELECT id FROM sales_orders WHERE order_ref = 'SO-4')"
            )
        )

    with pb.reader() as uow:
        everything = backorders_by_sku(uow.connection, today=today)
        pages = [
            backorders_by_sku(uow.connection, today=today, limit=2, offset=offset, lines_per_sku=1)
            for offset in (0, 2, 4)
        ]

    ranked = [s.sku for s in everything]
    assert ranked[0] == "CORAL-KETTLE" and ranked[-1] == "BLUE-KETTLE"
    assert set(ranked[1:3]) == {"EBONY-KETTLE", "AMBER-KETTLE"} and ranked[3] == "DUSK-KETTLE"
    assert [s.sku for page in pages for s in page] == ranked
    paged = {s.sku: s for page in pages for s in page}
    for whole in everything:
        part = paged[whole.sku]
        assert (part.units, part.orders, part.line_count, part.oldest_days) == (
            whole.units,
            whole.orders,
            whole.line_count,
            whole.oldest_days,
        )
        assert part.lines == whole.lines[:1]


def _kept_waiting(pb: Pegboard) -> dict[str, Decimal]:
    with pb.engine.connect() as conn:
        return {
            r.sku: r.waiting
            for r in conn.execute(select(t.items.c.sku, t.items.c.waiting).where(t.items.c.waiting != 0))
        }


def test_each_items_waiting_total_follows_orders_stock_counts_and_cancellations(pb: Pegboard) -> None:
    after_first_shipments(pb)
    fifo = AllocationPolicy.FIFO
    seen = [_kept_waiting(pb)]

    make_order(pb, "SO-9", ("SABER-BLUE", 5), customer="Rey")  # 3 in stock, 2 on backorder
    seen.append(_kept_waiting(pb))
    stock.count({"SABER-GREEN": Decimal(1)}, reason="found one", uow=pb.uow(), clock=pb.clock, policy=fifo)
    seen.append(_kept_waiting(pb))  # SO-1's green saber is allocated
    orders.cancel_order("SO-2", uow=pb.uow(), clock=pb.clock, policy=fifo)
    seen.append(_kept_waiting(pb))
    stock.count({"SABER-BLUE": Decimal(0)}, reason="dropped", uow=pb.uow(), clock=pb.clock, policy=fifo)
    seen.append(_kept_waiting(pb))  # SO-9's 3 blue sabers are taken back: all 5 wait
    with pb.reader() as uow:
        totals = backorder_totals(uow.connection)

    assert seen == [
        {"SABER-GREEN": 3},
        {"SABER-GREEN": 3, "SABER-BLUE": 2},
        {"SABER-GREEN": 2, "SABER-BLUE": 2},
        {"SABER-BLUE": 2},
        {"SABER-BLUE": 5},
    ]
    assert totals == (5, 1)


def test_the_first_page_leaves_the_lines_to_the_skus_own_page_but_names_the_supply(pb: Pegboard) -> None:
    after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        (bare,) = backorders_by_sku(uow.connection, today=pb.clock.today(), limit=50, lines_per_sku=0)
        (full,) = backorders_by_sku(uow.connection, today=pb.clock.today(), limit=50)

    assert bare.lines == () and len(full.lines) == full.line_count == bare.line_count == 2
    assert bare.supply_refs == full.supply_refs and bare.supply_refs
    assert (bare.units, bare.orders, bare.earliest_promise) == (
        full.units,
        full.orders,
        full.earliest_promise,
    )


def test_a_skus_own_page_lists_its_oldest_lines_and_figures_as_the_whole_list_does(pb: Pegboard) -> None:
    make_items(pb, "AMBER-KETTLE", "BLUE-KETTLE")
    for n in range(6):
        make_order(pb, f"SO-{n}", ("AMBER-KETTLE", n + 1), ("BLUE-KETTLE", 1))
    make_order(pb, "SO-9", ("AMBER-KETTLE", 2), ("AMBER-KETTLE", 3))  # one order, two lines
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    today = pb.clock.today()
    # Opening days out of order placing: SO-4 oldest, SO-1 and SO-9 tied, SO-2 with none (last).
    opened = {"SO-4": 9, "SO-1": 5, "SO-9": 5, "SO-0": 2, "SO-3": 1, "SO-5": 0, "SO-2": None}
    with pb.engine.begin() as conn:
        for ref, days in opened.items():
            conn.execute(
                text(
                    "UPDATE order_lines SET backordered_on = :day WHERE order_id = "
                    "(SELECT id FROM sales_orders WHERE order_ref = :ref)"
                ),
                {"day": None if days is None else today - timedelta(days=days), "ref": ref},
            )

    with pb.reader() as uow:
        whole = {s.sku: s for s in backorders_by_sku(uow.connection, today=today)}
        (own,) = backorders_by_sku(uow.connection, today=today, sku="AMBER-KETTLE", lines_per_sku=4)

    amber = whole["AMBER-KETTLE"]
    assert [(line.order_ref, line.line_no) for line in own.lines] == [
        ("SO-4", 1),
        ("SO-1", 1),
        ("SO-9", 1),
        ("SO-9", 2),
    ]
    assert own.lines == amber.lines[:4] and amber.lines[-1].order_ref == "SO-2"
    assert (own.units, own.orders, own.line_count, own.oldest_days, own.supply_refs) == (
        amber.units,
        amber.orders,
        amber.line_count,
        amber.oldest_days,
        amber.supply_refs,
    )
    assert (own.line_count, own.orders, own.oldest_days) == (8, 7, 9)
    assert (own.earliest_promise, own.latest_promise, own.undated) == (
        amber.earliest_promise,
        amber.latest_promise,
        amber.undated,
    )
