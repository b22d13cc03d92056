"""Backorders consolidated per SKU, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from pegboard.views.backorders import backorder_totals, backorders_by_sku
from tests.builders import make_order
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
