"""Backorders consolidated per SKU, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.services import planning
from pegboard.views.backorders import backorders_by_sku
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
