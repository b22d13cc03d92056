"""The lightsaber workshop's books, on SQLite and PostgreSQL: SO-1 and SO-2 pay in advance, SO-3
pays after it ships, SO-2 is cancelled and refunded. The journal is the one a bookkeeper would
write by hand.

Costs are standard costs: a hilt 80, an emitter 60, a crystal 400 (the items' `cost`), so a saber
(no cost of its own) costs its components, 540. Sabers sell at 1200.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.domain.books import standard_cost
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.services import books, manufacturing, orders, purchasing, shipping
from pegboard.services.imports import ImportKind
from tests.builders import import_text

D = date(2026, 11, 23)
OPENING = "stock import: 10 EMITTER, 10 HILT, 4 KYBER-BLUE, 1 KYBER-GREEN, 5 SABER-BLUE and 1 more"

#: date, entry, account, debit, credit, order_ref, memo: as `pegboard journal --json` lists it.
EXPECTED = [
    # The opening stock, counted in at standard cost: 10 x 60 + 10 x 80 + 5 x 400 + 7 x 540.
    (D, 1, "1200", 7180, 0, None, OPENING),
    (D, 1, "3900", 0, 7180, None, OPENING),
    # Luke and Leia pay in advance: deposits, not sales.
    (D, 2, "1000", 4800, 0, "SO-1", "payment by card (LUKE-1)"),
    (D, 2, "2100", 0, 4800, "SO-1", "payment by card (LUKE-1)"),
    (D, 3, "1000", 2400, 0, "SO-2", "payment by card (LEIA-1)"),
    (D, 3, "2100", 0, 2400, "SO-2", "payment by card (LEIA-1)"),
    # SO-1 ships 2 green + 1 blue: 3600 of its deposit becomes revenue; 3 sabers leave at 540.
    (D + timedelta(1), 4, "2100", 3600, 0, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "4000", 0, 3600, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "5000", 1620, 0, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "1200", 0, 1620, "SO-1", "shipment SO-1-S1"),
    # SO-3 ships unpaid: Han owes 1200.
    (D + timedelta(1), 5, "1100", 1200, 0, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "4000", 0, 1200, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "5000", 540, 0, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "1200", 0, 540, "SO-3", "shipment SO-3-S1"),
    # One green crystal of PO-1 arrives at 400, owed to the Crystal Broker.
    (D + timedelta(3), 6, "1200", 400, 0, None, "receipt PO-1: 1 KYBER-GREEN"),
    (D + timedelta(3), 6, "2000", 0, 400, None, "receipt PO-1: 1 KYBER-GREEN"),
    # MO-1 makes a green saber (no entry: components at 540 become a saber at 540);
    # it completes SO-1, whose last 1200 of deposit becomes revenue.
    (D + timedelta(4), 7, "2100", 1200, 0, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 7, "4000", 0, 1200, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 7, "5000", 540, 0, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 7, "1200", 0, 540, "SO-1", "shipment SO-1-S2"),
    # Leia cancels SO-2 (nothing shipped): her whole deposit is due back, then paid back.
    (D + timedelta(5), 8, "2100", 2400, 0, "SO-2", "cancellation of SO-2: refund due"),
    (D + timedelta(5), 8, "2150", 0, 2400, "SO-2", "cancellation of SO-2: refund due"),
    (D + timedelta(5), 9, "2150", 2400, 0, "SO-2", "refund (LEIA-R1)"),
    (D + timedelta(5), 9, "1000", 0, 2400, "SO-2", "refund (LEIA-R1)"),
    # Han pays for what he received.
    (D + timedelta(6), 10, "1000", 1200, 0, "SO-3", "payment by transfer"),
    (D + timedelta(6), 10, "1100", 0, 1200, "SO-3", "payment by transfer"),
]

#: The trial balance after the story: deposits, receivables and refunds due are all settled.
EXPECTED_BALANCES = {
    "1000": Decimal(6000),  # 4800 + 2400 - 2400 + 1200
    "1100": Decimal(0),
    "1200": Decimal(4880),  # 7180 counted + 400 received - 2700 shipped at cost
    "2000": Decimal(-400),
    "2100": Decimal(0),
    "2150": Decimal(0),
    "3900": Decimal(-7180),
    "4000": Decimal(-6000),
    "5000": Decimal(2700),
}


def on(day: int) -> FixedClock:
    return FixedClock(D + timedelta(days=day))


def test_the_workshops_journal_is_the_one_a_bookkeeper_writes_by_hand(pb: Pegboard) -> None:
    # The workshop and its orders: SO-1 = 3 green + 1 blue, SO-2 = 2 green, SO-3 = 1 blue, at 1200.
    demo.load_catalogue(pb)
    demo.place_orders(pb)

    # Luke (SO-1) and Leia (SO-2) pay in full in advance.
    books.pay("SO-1", Decimal(4800), method="card", reference="LUKE-1", uow=pb.uow(), clock=on(0))
    books.pay("SO-2", Decimal(2400), method="card", reference="LEIA-1", uow=pb.uow(), clock=on(0))

    # Next day SO-1 ships 2 green + 1 blue and SO-3 ships whole.
    shipping.ship_order("SO-1", uow=pb.uow(), clock=on(1))
    shipping.ship_order("SO-3", uow=pb.uow(), clock=on(1))

    # A PO for 2 green crystals at 400; one arrives on day 3.
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        "PO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07,400\n",
    )
    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=on(3), policy=pb.policy)

    # Day 4: one green saber is made from the crystal that was on hand; SO-1 completes.
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=on(4))
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=on(4), policy=pb.policy)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=on(4))

    # Day 5: Leia gives up waiting; her order is cancelled and her money paid back.
    orders.cancel_order("SO-2", uow=pb.uow(), clock=on(5), policy=pb.policy)
    books.refund("SO-2", reference="LEIA-R1", uow=pb.uow(), clock=on(5))

    # Day 6: Han pays for SO-3.
    books.pay("SO-3", Decimal(1200), method="transfer", uow=pb.uow(), clock=on(6))

    rows = books.journal(pb.reader())
    assert [(r.date, r.entry, r.account, r.debit, r.credit, r.order_ref, r.memo) for r in rows] == EXPECTED
    balances = {line.account: line.balance for line in books.trial_balance(pb.reader())}
    assert balances == EXPECTED_BALANCES


def test_inventory_in_the_books_equals_the_stock_on_hand_at_standard_cost(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    demo.place_orders(pb)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    with pb.reader() as uow:
        items, boms = uow.catalogue.items(), uow.catalogue.boms()
        levels = uow.stock.levels(items)
    valued = sum(standard_cost(sku, items, boms) * stock.on_hand for sku, stock in levels.items())
    balances = {line.account: line.balance for line in books.trial_balance(pb.reader())}
    assert balances["1200"] == valued == Decimal(7180 - 3 * 540)
