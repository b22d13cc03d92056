"""The server's kept leftover follows orders placed (and shipments) between quotes instead of
being built again, and is built again after any other change (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from pegboard.adapters.clock import FixedClock
from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import orders, shipping
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import LeftoverCache, QuoteRequest, quote, quote_and_hold
from tests.builders import import_text, make_order, set_stock
from tests.conftest import MONDAY

ITEMS = """sku,name,procurement,lead_time_days,supplier,min_order_qty
SABER,Saber,make,1,,3
HILT,Hilt,buy,3,Acme,
KYBER,Kyber,buy,5,Acme,
"""
BOMS = "parent_sku,component_sku,quantity\nSABER,HILT,1\nSABER,KYBER,1\n"


def workshop(pb: Pegboard) -> None:
    """Sabers made in lots of 3 from a hilt and a crystal; one saber in stock, one waiting."""
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nAcme,,4\n")
    import_text(pb, ImportKind.ITEMS, ITEMS)
    import_text(pb, ImportKind.BOMS, BOMS)
    import_text(pb, ImportKind.STOCK, "sku,quantity\nSABER,1\nHILT,10\nKYBER,1\n")
    make_order(pb, "SO-1", ("SABER", 2), ordered_at=pb.clock.now() - timedelta(hours=3))


def changes(pb: Pegboard) -> list[str | None]:
    """The orders each plan-input change placed, oldest first (None: it did more)."""
    with pb.reader() as uow:
        c = t.plan_input_changes.c
        return list(uow.connection.execute(select(c.placed_orders).order_by(c.id)).scalars())


def test_the_kept_leftover_follows_placed_orders_and_is_built_again_after_a_count(pb: Pegboard) -> None:
    workshop(pb)
    kept = LeftoverCache()
    request = QuoteRequest((("SABER", Decimal(2)),))
    before = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)
    assert (kept.built, kept.followed, kept.answered) == (1, 0, 1)
    assert [p.quantity for p in before.lines[0].parts] == [2]

    # Two orders placed: each takes what a quote for it would, the leftover follows them.
    make_order(pb, "SO-2", ("SABER", 1), ("HILT", 2), ordered_at=pb.clock.now() - timedelta(hours=2))
    make_order(pb, "SO-3", ("HILT", 1), ordered_at=pb.clock.now() - timedelta(hours=1))
    fast = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)
    full = quote(request, uow=pb.reader(), clock=pb.clock)

    assert changes(pb)[-2:] == ['["SO-2"]', '["SO-3"]']
    assert (kept.built, kept.followed, kept.answered) == (1, 1, 2)
    assert (fast.lines, fast.date) == (full.lines, full.date)
    # The lot made for SO-1 (3 sabers for 1) had 2 over: SO-2 took one, so this quote waits for
    # the last one and a new lot.
    assert [p.quantity for p in fast.lines[0].parts] == [1, 1]

    # Shipping what is allocated leaves the leftover as it was.
    shipping.ship_order("SO-2", uow=pb.uow(), clock=pb.clock)
    shipped = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)

    assert changes(pb)[-1] == "[]"
    assert (kept.built, kept.followed) == (1, 2)
    assert (shipped.lines, shipped.date) == (fast.lines, fast.date)

    # A count is not an order placed: the leftover is built again.
    set_stock(pb, HILT=1)
    again = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)

    assert changes(pb)[-1] is None
    assert (kept.built, kept.followed) == (2, 2)
    assert (again.lines, again.date) == _full(pb, request)


def test_an_order_placed_ahead_of_those_waiting_is_not_followed(pb: Pegboard) -> None:
    workshop(pb)
    kept = LeftoverCache()
    request = QuoteRequest((("SABER", Decimal(2)),))
    quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)

    # A higher priority ranks before SO-1: SO-1's promise moves, so the leftover is built again.
    make_order(pb, "SO-2", ("SABER", 2), priority=5, ordered_at=pb.clock.now() - timedelta(hours=1))
    fast = quote(request, uow=pb.reader(), clock=pb.clock, leftovers=kept)

    assert (kept.built, kept.followed) == (2, 0)
    assert (fast.lines, fast.date) == _full(pb, request)


def _full(pb: Pegboard, request: QuoteRequest) -> tuple[object, object]:
    found = quote(request, uow=pb.reader(), clock=pb.clock)
    return found.lines, found.date


def test_only_a_transaction_that_just_places_orders_names_them(pb: Pegboard) -> None:
    workshop(pb)
    request = QuoteRequest((("HILT", Decimal(2)),))

    # A held quote, then an order with its id: the hold ends as the order takes its stock.
    held = quote_and_hold(request, 30, uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-2", ("SABER", 1))
    draft = orders.OrderDraft(
        "SO-3", "Ada", (orders.LineDraft("HILT", to_quantity(2)),), quote_id=held.quote_id
    )
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)
    # An order whose placing ends an expired hold, whose stock goes to the lines waiting.
    quote_and_hold(request, 1, uow=pb.uow(), clock=pb.clock)
    pb.clock = FixedClock(MONDAY + timedelta(days=1))
    make_order(pb, "SO-4", ("SABER", 1))

    assert changes(pb)[-5:] == [None, '["SO-2"]', None, None, None]
