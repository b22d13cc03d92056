"""The lightsaber workshop of DESIGN.md, loaded through the same imports a user runs."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import imports, manufacturing, purchasing, shipping
from pegboard.services.imports import ImportKind
from pegboard.views import lists
from pegboard.views.json import day, number

SUPPLIERS = """name,email,lead_time_days
Passing Traders,orders@passing-traders.example,3
Crystal Broker,broker@crystals.example,
"""

ITEMS = """sku,name,procurement,unit,price,cost,lead_time_days,supplier
SABER-GREEN,Green lightsaber,make,pcs,1200,,1,
SABER-BLUE,Blue lightsaber,make,pcs,1200,,1,
HILT,Hilt,buy,pcs,,80,3,Passing Traders
EMITTER,Emitter,buy,pcs,,60,3,Passing Traders
KYBER-GREEN,Green kyber crystal,buy,pcs,,400,,Crystal Broker
KYBER-BLUE,Blue kyber crystal,buy,pcs,,400,,Crystal Broker
"""

BOMS = """parent_sku,component_sku,quantity
SABER-GREEN,HILT,1
SABER-GREEN,EMITTER,1
SABER-GREEN,KYBER-GREEN,1
SABER-BLUE,HILT,1
SABER-BLUE,EMITTER,1
SABER-BLUE,KYBER-BLUE,1
"""

STOCK = """sku,quantity
SABER-GREEN,2
SABER-BLUE,5
HILT,10
EMITTER,10
KYBER-GREEN,1
KYBER-BLUE,4
"""

ORDERS = """order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy
SO-1,Luke,luke@tatooine.example,{at1},SABER-GREEN,3,1200,0,partial
SO-1,Luke,luke@tatooine.example,{at1},SABER-BLUE,1,1200,0,partial
SO-2,Leia,leia@alderaan.example,{at2},SABER-GREEN,2,1200,0,partial
SO-3,Han,han@corellia.example,{at3},SABER-BLUE,1,1200,0,partial
"""

CATALOGUE = (
    (ImportKind.SUPPLIERS, SUPPLIERS),
    (ImportKind.ITEMS, ITEMS),
    (ImportKind.BOMS, BOMS),
    (ImportKind.STOCK, STOCK),
)


def load_catalogue(pb: Pegboard) -> None:
    """Suppliers, items, BOMs and stock of the workshop."""
    for kind, text in CATALOGUE:
        _import(pb, kind, text)


def _import(pb: Pegboard, kind: ImportKind, text: str) -> None:
    imports.import_csv(
        kind, io.StringIO(text), source=f"demo {kind}", uow=pb.uow(), clock=pb.clock, policy=pb.policy
    )


def orders_csv(day: date, now: datetime | None = None) -> str:
    """The demo's orders as a CSV, placed on `day` at 09:00, 10:00 and 11:00; when `now` (on
    `day`) comes before that, spread evenly between midnight and `now` instead, so that an order
    a user places right after the demo always ranks behind them, as a later order should."""
    morning = [datetime.combine(day, time(hour)) for hour in (9, 10, 11)]
    if now is not None and now.date() == day and now <= morning[-1]:
        since_midnight = now - datetime.combine(day, time())
        morning = [datetime.combine(day, time()) + since_midnight * k / 4 for k in (1, 2, 3)]
    at1, at2, at3 = (stamp.isoformat(timespec="seconds") for stamp in morning)
    return ORDERS.format(at1=at1, at2=at2, at3=at3)


def place_orders(pb: Pegboard) -> None:
    """SO-1 (3 green + 1 blue), SO-2 (2 green), SO-3 (1 blue), oldest first, earlier today
    (`orders_csv`)."""
    _import(pb, ImportKind.ORDERS, orders_csv(pb.clock.today(), pb.clock.now()))


Say = Callable[[str], None]


def _step_catalogue(pb: Pegboard, say: Say) -> None:
    say("1. The workshop: sabers are made from a hilt, an emitter and a kyber crystal.")
    load_catalogue(pb)
    say("   Stock: 2 green and 5 blue sabers, 10 hilts, 10 emitters, 1 green and 4 blue crystals.")


def _step_orders(pb: Pegboard, say: Say) -> None:
    say("2. Orders arrive: SO-1 = 3 green + 1 blue, SO-2 = 2 green, SO-3 = 1 blue.")
    place_orders(pb)
    _show_backorders(pb, say)


def _step_ship(pb: Pegboard, say: Say) -> None:
    say("3. Ship what is allocated: SO-1 ships 2 green + 1 blue, SO-3 ships.")
    for ref in ("SO-1", "SO-3"):
        shipment = shipping.ship_order(ref, uow=pb.uow(), clock=pb.clock)
        what = ", ".join(f"{line.quantity} {line.sku}" for line in shipment.lines)
        say(f"   {shipment.shipment_ref}: {what}")
    _show_backorders(pb, say)


def _step_make(pb: Pegboard, say: Say) -> None:
    say("4. Make one green saber from the one crystal on hand; it goes to SO-1, the oldest.")
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    shipment = shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
    say(f"   {mo.mo_ref} finished; {shipment.shipment_ref} completes SO-1.")


def _step_buy(pb: Pegboard, say: Say) -> None:
    say("5. Order 2 green crystals from the Crystal Broker, due in 14 days; they arrive.")
    due = pb.clock.today() + timedelta(days=14)
    _import(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        f"PO-1,Crystal Broker,KYBER-GREEN,2,{due},400\n",
    )
    purchasing.receive("PO-1", "KYBER-GREEN", Decimal(2), uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(2), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    shipment = shipping.ship_order("SO-2", uow=pb.uow(), clock=pb.clock)
    say(f"   PO-1 received; {mo.mo_ref} made 2 green sabers; {shipment.shipment_ref} completes SO-2.")
    _show_backorders(pb, say)


STEPS = (_step_catalogue, _step_orders, _step_ship, _step_make, _step_buy)


def run_story(pb: Pegboard, say: Say, *, steps: int = len(STEPS)) -> None:
    """Walk through the first `steps` steps of the story, telling what happens."""
    for step in STEPS[:steps]:
        step(pb, say)


def _show_backorders(pb: Pegboard, say: Say) -> None:
    with pb.reader() as uow:
        waiting = lists.backorders(uow.connection, today=pb.clock.today())
    if not waiting:
        say("   No backorders.")
    for b in waiting:
        say(f"   Backorder: {b.order_ref} waits for {number(b.quantity)} {b.sku} since {day(b.opened_at)}")
