"""A small history for the KPIs: eleven days of a kettle and mug shop, every figure countable by hand.

Day 0 is Monday 2 November 2026; "today" is day 10 (12 November).

    day 0  stock KETTLE 2, MUG 10; PO-1 (Kettle Co) 5 KETTLE due day 4; PO-2 (Mug Works) 4 MUG
           due day 3. SO-1 = 1 KETTLE + 2 MUG (both allocated); SO-2 = 3 KETTLE (1 allocated,
           2 on backorder). SO-2 pays 150.
    day 1  SO-1 ships whole; SO-2 ships 1 KETTLE. KETTLE is out of stock. Plan: SO-2 is promised
           day 4 (PO-1).
    day 2  SO-3 = 10 MUG (8 allocated, 2 on backorder). Plan: SO-3 is promised day 3 (PO-2).
    day 3  PO-1 slips to day 7. PO-2 arrives in full, on time; SO-3 is whole and ships whole.
    day 7  PO-1 arrives (3 days late); SO-2 gets its 2 and ships them. SO-4 = 5 KETTLE (3
           allocated, 2 on backorder); SO-4 pays 250.
    day 8  SO-5 = 1 MUG (allocated, not shipped); SO-6 = 1 CRYSTAL (none in stock; Crystal Broker
           gives no lead time and there is no PO). Plan: SO-6 is open term.
    day 9  1 CRYSTAL is counted in; SO-6 gets it and ships.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.services import books, imports, planning, purchasing, shipping
from pegboard.services.imports import ImportKind

DAY0 = date(2026, 11, 2)
TODAY = DAY0 + timedelta(days=10)

SUPPLIERS = """name,email,lead_time_days
Kettle Co,orders@kettle.example,3
Mug Works,orders@mugs.example,3
Crystal Broker,broker@crystals.example,
"""
ITEMS = """sku,name,procurement,unit,price,cost,lead_time_days,supplier
KETTLE,Kettle,buy,pcs,50,20,3,Kettle Co
MUG,Mug,buy,pcs,10,4,3,Mug Works
CRYSTAL,Crystal,buy,pcs,30,10,,Crystal Broker
"""
ORDER_HEADER = "order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy\n"


def day(n: int) -> date:
    """Day n of the story."""
    return DAY0 + timedelta(days=n)


def seed(pb: Pegboard) -> None:
    """Write the whole history, one business day at a time."""
    _import(pb, 0, ImportKind.SUPPLIERS, SUPPLIERS)
    _import(pb, 0, ImportKind.ITEMS, ITEMS)
    _import(pb, 0, ImportKind.STOCK, "sku,quantity\nKETTLE,2\nMUG,10\n")
    _import(
        pb,
        0,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        f"PO-1,Kettle Co,KETTLE,5,{day(4)},20\nPO-2,Mug Works,MUG,4,{day(3)},4\n",
    )
    _orders(pb, 0, ("SO-1", "KETTLE", 1, 50), ("SO-1", "MUG", 2, 10), ("SO-2", "KETTLE", 3, 50))
    books.pay("SO-2", Decimal(150), clock=_on(pb, 0), uow=pb.uow())

    _ship(pb, 1, "SO-1", "SO-2")
    planning.run_plan(clock=_on(pb, 1), uow=pb.uow())

    _orders(pb, 2, ("SO-3", "MUG", 10, 10))
    planning.run_plan(clock=_on(pb, 2), uow=pb.uow())

    purchasing.reschedule("PO-1", day(7), clock=_on(pb, 3), uow=pb.uow())
    _receive(pb, 3, "PO-2", "MUG", 4)
    _ship(pb, 3, "SO-3")

    _receive(pb, 7, "PO-1", "KETTLE", 5)
    _ship(pb, 7, "SO-2")
    _orders(pb, 7, ("SO-4", "KETTLE", 5, 50))
    books.pay("SO-4", Decimal(250), clock=_on(pb, 7), uow=pb.uow())

    _orders(pb, 8, ("SO-5", "MUG", 1, 10), ("SO-6", "CRYSTAL", 1, 30))
    planning.run_plan(clock=_on(pb, 8), uow=pb.uow())

    _import(pb, 9, ImportKind.STOCK, "sku,quantity\nCRYSTAL,1\n")
    _ship(pb, 9, "SO-6")
    _on(pb, 10)


def _on(pb: Pegboard, n: int) -> FixedClock:
    """Day n becomes the business date of every unit of work (records kept by date follow it).

    Called before `pb.uow()` in each call (keyword arguments are evaluated in order)."""
    pb.clock = FixedClock(day(n))
    return pb.clock


def _import(pb: Pegboard, n: int, kind: ImportKind, text: str) -> None:
    imports.import_csv(
        kind, io.StringIO(text), source=f"{kind}.csv", clock=_on(pb, n), uow=pb.uow(), policy=pb.policy
    )


def _orders(pb: Pegboard, n: int, *lines: tuple[str, str, int, int]) -> None:
    rows = "".join(
        f"{ref},Ada,ada@example.com,{day(n)}T09:00,{sku},{quantity},{price},0,partial\n"
        for ref, sku, quantity, price in lines
    )
    _import(pb, n, ImportKind.ORDERS, ORDER_HEADER + rows)


def _ship(pb: Pegboard, n: int, *refs: str) -> None:
    for ref in refs:
        shipping.ship_order(ref, clock=_on(pb, n), uow=pb.uow())


def _receive(pb: Pegboard, n: int, po_ref: str, sku: str, quantity: int) -> None:
    purchasing.receive(po_ref, sku, Decimal(quantity), clock=_on(pb, n), uow=pb.uow(), policy=pb.policy)
