"""Quotes on the lightsaber workshop of DESIGN.md, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.sales import ShipPolicy
from pegboard.entrypoints import demo
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import Quote, QuoteRequest, quote
from tests.builders import import_text


def quote_for(pb: Pegboard, *lines: tuple[str, int], policy: ShipPolicy = ShipPolicy.PARTIAL) -> Quote:
    request = QuoteRequest(tuple((sku, Decimal(q)) for sku, q in lines), ship_policy=policy)
    return quote(request, uow=pb.reader(), clock=pb.clock)


def test_a_green_saber_is_open_term_until_a_crystal_po_exists_then_po_date_plus_a_day(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)

    before = quote_for(pb, ("SABER-GREEN", 1))

    assert before.lines[0].now == 0
    assert before.date is None
    assert [(p.quantity, p.date) for p in before.lines[0].parts] == [(1, None)]
    assert before.lines[0].reason.startswith("open term")

    # SO-2 waits for two green sabers ahead of the quote: a PO of three crystals serves all.
    due = pb.clock.today() + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,3,{due}\n",
    )
    after = quote_for(pb, ("SABER-GREEN", 1))

    assert after.date == due + timedelta(days=1)
    assert after.lines[0].parts[0].date == due + timedelta(days=1)


def test_a_crystal_po_too_small_for_the_orders_ahead_leaves_the_quote_open_term(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    due = pb.clock.today() + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-9,Crystal Broker,KYBER-GREEN,2,{due}\n",
    )

    found = quote_for(pb, ("SABER-GREEN", 1))

    assert found.date is None


def test_a_blue_saber_in_stock_is_held_for_the_last_line_of_a_complete_order_and_says_so(
    pb: Pegboard,
) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)

    found = quote_for(pb, ("SABER-BLUE", 2), ("SABER-GREEN", 1), policy=ShipPolicy.COMPLETE)

    blue, green = found.lines
    assert (blue.now, blue.date) == (2, None)
    assert blue.reason.startswith("open term: ships complete with SABER-GREEN, which is open term")
    assert green.now == 0
    assert found.date is None
    assert found.line_date(blue) is None


def test_a_quote_writes_nothing(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    with pb.reader() as uow:
        before = uow.orders.get_many(["SO-1", "SO-2", "SO-3"])

    quote_for(pb, ("SABER-BLUE", 2), ("SABER-GREEN", 1))

    with pb.reader() as uow:
        assert uow.orders.get_many(["SO-1", "SO-2", "SO-3"]) == before
