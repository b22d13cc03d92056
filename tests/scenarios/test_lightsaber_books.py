"""The lightsaber workshop's books, on SQLite and PostgreSQL: SO-1 and SO-2 pay in advance, SO-3
pays after it ships, SO-2 is cancelled and refunded. The journal is the one a bookkeeper would
write by hand.

Stock is valued at moving average. The opening stock comes in at standard cost: a hilt 80, an
emitter 60, a crystal 400 (the items' `cost`), a saber (no cost of its own) its components plus
25 of labour, 565. A second green crystal arrives at 460, so the two are worth 430 each; the
saber made from one of them is worth 80 + 60 + 430 + 25 = 595, and ships at that cost. Sabers
sell at 1200.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.valuation import CostMethod
from pegboard.entrypoints import demo
from pegboard.services import books, catalogue, manufacturing, orders, purchasing, shipping
from pegboard.services import valuation as stock_value
from pegboard.services.imports import ImportKind
from tests.builders import import_text

D = date(2026, 11, 23)
OPENING = "stock import: 10 EMITTER, 10 HILT, 4 KYBER-BLUE, 1 KYBER-GREEN, 5 SABER-BLUE and 1 more"

#: date, entry, account, debit, credit, order_ref, memo: as `pegboard journal --json` lists it.
EXPECTED = [
    # The opening stock, counted in at standard cost: 10 x 60 + 10 x 80 + 5 x 400 + 7 x 565.
    (D, 1, "1200", 7355, 0, None, OPENING),
    (D, 1, "3900", 0, 7355, None, OPENING),
    # Luke and Leia pay in advance: deposits, not sales.
    (D, 2, "1000", 4800, 0, "SO-1", "payment by card (LUKE-1)"),
    (D, 2, "2100", 0, 4800, "SO-1", "payment by card (LUKE-1)"),
    (D, 3, "1000", 2400, 0, "SO-2", "payment by card (LEIA-1)"),
    (D, 3, "2100", 0, 2400, "SO-2", "payment by card (LEIA-1)"),
    # SO-1 ships 2 green + 1 blue: 3600 of its deposit becomes revenue; 3 sabers leave at 565.
    (D + timedelta(1), 4, "2100", 3600, 0, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "4000", 0, 3600, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "5000", 1695, 0, "SO-1", "shipment SO-1-S1"),
    (D + timedelta(1), 4, "1200", 0, 1695, "SO-1", "shipment SO-1-S1"),
    # SO-3 ships unpaid: Han owes 1200.
    (D + timedelta(1), 5, "1100", 1200, 0, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "4000", 0, 1200, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "5000", 565, 0, "SO-3", "shipment SO-3-S1"),
    (D + timedelta(1), 5, "1200", 0, 565, "SO-3", "shipment SO-3-S1"),
    # One green crystal of PO-1 arrives at 460, owed to the Crystal Broker.
    (D + timedelta(3), 6, "1200", 460, 0, None, "receipt PO-1: 1 KYBER-GREEN"),
    (D + timedelta(3), 6, "2000", 0, 460, None, "receipt PO-1: 1 KYBER-GREEN"),
    # MO-1 makes a green saber: the components (80 + 60 + a crystal at 430) only change form;
    # the 25 of labour is new value.
    (D + timedelta(4), 7, "1200", 25, 0, None, "labour MO-1: 1 SABER-GREEN"),
    (D + timedelta(4), 7, "5100", 0, 25, None, "labour MO-1: 1 SABER-GREEN"),
    # It completes SO-1, whose last 1200 of deposit becomes revenue; the saber leaves at 595.
    (D + timedelta(4), 8, "2100", 1200, 0, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 8, "4000", 0, 1200, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 8, "5000", 595, 0, "SO-1", "shipment SO-1-S2"),
    (D + timedelta(4), 8, "1200", 0, 595, "SO-1", "shipment SO-1-S2"),
    # Leia cancels SO-2 (nothing shipped): her whole deposit is due back, then paid back.
    (D + timedelta(5), 9, "2100", 2400, 0, "SO-2", "cancellation of SO-2: refund due"),
    (D + timedelta(5), 9, "2150", 0, 2400, "SO-2", "cancellation of SO-2: refund due"),
    (D + timedelta(5), 10, "2150", 2400, 0, "SO-2", "refund (LEIA-R1)"),
    (D + timedelta(5), 10, "1000", 0, 2400, "SO-2", "refund (LEIA-R1)"),
    # Han pays for what he received.
    (D + timedelta(6), 11, "1000", 1200, 0, "SO-3", "payment by transfer"),
    (D + timedelta(6), 11, "1100", 0, 1200, "SO-3", "payment by transfer"),
]

#: The trial balance after the story: deposits, receivables and refunds due are all settled.
EXPECTED_BALANCES = {
    "1000": Decimal(6000),  # 4800 + 2400 - 2400 + 1200
    "1100": Decimal(0),
    "1200": Decimal(4985),  # 7355 counted + 460 received + 25 labour - 2855 shipped at cost
    "2000": Decimal(-460),
    "2100": Decimal(0),
    "2150": Decimal(0),
    "3900": Decimal(-7355),
    "4000": Decimal(-6000),
    "5000": Decimal(2855),  # 1695 + 565 + 595
    "5100": Decimal(-25),
}

#: What is left: sku, on hand, value, unit cost. It adds up to the inventory account's 4985.
EXPECTED_VALUATION = [
    ("EMITTER", 9, 540, 60),
    ("HILT", 9, 720, 80),
    ("KYBER-BLUE", 4, 1600, 400),
    ("KYBER-GREEN", 1, 430, 430),
    ("SABER-BLUE", 3, 1695, 565),
]


def load_workshop(pb: Pegboard) -> None:
    """The demo workshop, its sabers taking 25 of labour each, with its opening stock."""
    for kind, text in demo.CATALOGUE:
        if kind is ImportKind.STOCK:
            with pb.reader() as uow:
                sabers = [uow.catalogue.item(sku) for sku in ("SABER-GREEN", "SABER-BLUE")]
            labour = [replace(item, labour_cost=to_money(25)) for item in sabers if item is not None]
            catalogue.save_items(labour, uow=pb.uow())
        import_text(pb, kind, text)


def make_a_green_saber(pb: Pegboard, *, day: int) -> None:
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=on(day))
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=on(day), policy=pb.policy)


def receive_a_green_crystal_at_460(pb: Pegboard, *, day: int) -> None:
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        "PO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07,460\n",
    )
    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=on(day), policy=pb.policy)


def on(day: int) -> FixedClock:
    return FixedClock(D + timedelta(days=day))


def test_the_workshops_journal_is_the_one_a_bookkeeper_writes_by_hand(pb: Pegboard) -> None:
    # The workshop and its orders: SO-1 = 3 green + 1 blue, SO-2 = 2 green, SO-3 = 1 blue, at 1200.
    load_workshop(pb)
    demo.place_orders(pb)

    # Luke (SO-1) and Leia (SO-2) pay in full in advance.
    books.pay("SO-1", Decimal(4800), method="card", reference="LUKE-1", uow=pb.uow(), clock=on(0))
    books.pay("SO-2", Decimal(2400), method="card", reference="LEIA-1", uow=pb.uow(), clock=on(0))

    # Next day SO-1 ships 2 green + 1 blue and SO-3 ships whole.
    shipping.ship_order("SO-1", uow=pb.uow(), clock=on(1))
    shipping.ship_order("SO-3", uow=pb.uow(), clock=on(1))

    # A PO for 2 green crystals at 460; one arrives on day 3.
    receive_a_green_crystal_at_460(pb, day=3)

    # Day 4: one green saber is made (a crystal at the average 430); SO-1 completes.
    make_a_green_saber(pb, day=4)
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
    valued = stock_value.valuation(pb.reader())
    assert [(i.sku, i.on_hand, i.value, i.unit_cost) for i in valued.items] == EXPECTED_VALUATION
    assert valued.total == balances["1200"]


def test_the_valuation_on_a_past_day_is_the_stock_held_that_evening(pb: Pegboard) -> None:
    load_workshop(pb)
    demo.place_orders(pb)
    shipping.ship_order("SO-1", uow=pb.uow(), clock=on(1))
    receive_a_green_crystal_at_460(pb, day=3)

    before = stock_value.valuation(pb.reader(), as_of=D)
    after = stock_value.valuation(pb.reader(), as_of=D + timedelta(3))

    assert before.total == 7355
    assert after.total == 7355 - 3 * 565 + 460
    crystals = {i.sku: (i.on_hand, i.value) for i in after.items}["KYBER-GREEN"]
    assert crystals == (2, 860)


def test_by_fifo_the_saber_made_takes_the_oldest_crystal_and_the_newer_one_stays(db_url: str) -> None:
    pb = bootstrap(Settings(database_url=db_url, cost_method=CostMethod.FIFO), today=D)
    try:
        load_workshop(pb)
        shipping_and_making(pb)

        valued = {i.sku: (i.on_hand, i.value) for i in stock_value.valuation(pb.reader()).items}
        balances = {line.account: line.balance for line in books.trial_balance(pb.reader())}
    finally:
        pb.close()

    assert valued["KYBER-GREEN"] == (1, 460)
    assert valued["SABER-GREEN"] == (3, 3 * 565)
    assert balances["1200"] == sum(value for _, value in valued.values()) == 7355 + 460 + 25


def shipping_and_making(pb: Pegboard) -> None:
    receive_a_green_crystal_at_460(pb, day=3)
    make_a_green_saber(pb, day=4)
