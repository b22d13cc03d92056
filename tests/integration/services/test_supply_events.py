"""Every change a service makes to a PO, an MO or a counted stock reaches the outbox, once.

Purchase and manufacturing orders record their receipts, completions and date changes
(`PurchaseOrder.events`, `ManufacturingOrder.events`), an item's stock records its counts
(`ItemStock.events`), and the unit of work writes what they recorded at commit. Each step below
is one use case. After it, every PO or MO that existed before and changed, and every stock
movement a receipt, completion or count wrote, must be told by a new outbox event; and no
event may reach the outbox twice (as it would if a service wrote one its aggregate records).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import MissingMaterials
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.services import catalogue, manufacturing, orders, purchasing, stock
from pegboard.services.imports import ImportKind
from pegboard.services.rescheduling import preview_reschedule
from pegboard.services.transactions import SharedTransaction
from tests.builders import import_text, make_order, set_stock

FIFO = AllocationPolicy.FIFO

#: The events POs, MOs and counted stock record (orders' own are `test_order_events.py`'s).
SUPPLY_EVENTS = {"StockReceived", "ManufacturingCompleted", "ExpectedDateChanged", "StockAdjusted"}

#: Which event tells of a stock movement of each kind: (event type, payload key of the reference).
TOLD_BY = {
    "receipt": ("StockReceived", "supply_ref"),
    "production": ("ManufacturingCompleted", "mo_ref"),
    "consumption": ("ManufacturingCompleted", "mo_ref"),
    "adjustment": ("StockAdjusted", None),
}


@dataclass(frozen=True)
class Written:
    """What the database holds that a use case may change: POs, MOs, stock moves, the outbox."""

    pos: dict[str, tuple[object, ...]]
    mos: dict[str, tuple[object, ...]]
    last_move: int
    event_ids: set[str]


def written(pb: Pegboard) -> Written:
    """Read straight from the tables, not through the repositories under test (in a read-only
    transaction, which does not wait for a writer's open one on SQLite)."""
    po, pol, mo = t.purchase_orders.c, t.purchase_order_lines.c, t.manufacturing_orders.c
    with pb.reader() as uow:
        conn = uow.connection
        lines: dict[int, list[tuple[object, ...]]] = {}
        for r in conn.execute(
            select(pol.po_id, pol.quantity, pol.received, pol.expected_date).order_by(pol.id)
        ):
            lines.setdefault(r.po_id, []).append((r.quantity, r.received, r.expected_date))
        pos: dict[str, tuple[object, ...]] = {
            r.po_ref: (r.status, tuple(lines.get(r.id, ())))
            for r in conn.execute(select(po.id, po.po_ref, po.status))
        }
        mos: dict[str, tuple[object, ...]] = {
            r.mo_ref: (r.status, r.completed, r.start_date, r.finish_date)
            for r in conn.execute(select(mo.mo_ref, mo.status, mo.completed, mo.start_date, mo.finish_date))
        }
        last_move = conn.execute(select(func.coalesce(func.max(t.stock_moves.c.id), 0))).scalar_one()
        event_ids = set(conn.execute(select(t.outbox.c.id)).scalars())
    return Written(pos, mos, int(last_move), event_ids)


def dropship_order_refs(pb: Pegboard) -> dict[str, str]:
    """The sales order each drop-ship PO serves, by PO ref."""
    with pb.reader() as uow:
        conn = uow.connection
        rows = conn.execute(
            select(t.purchase_orders.c.po_ref, t.sales_orders.c.order_ref).join(
                t.sales_orders, t.sales_orders.c.id == t.purchase_orders.c.order_id
            )
        )
        return {r.po_ref: r.order_ref for r in rows}


def new_moves(pb: Pegboard, after: int) -> list[tuple[str, str | None, str, Decimal]]:
    """(kind, reference, sku, quantity) of each stock movement written after move id `after`."""
    sm = t.stock_moves.c
    with pb.reader() as uow:
        conn = uow.connection
        rows = conn.execute(
            select(sm.kind, sm.reference, t.items.c.sku, sm.quantity)
            .join(t.items, t.items.c.id == sm.item_id)
            .where(sm.id > after)
            .order_by(sm.id)
        )
        return [(r.kind, r.reference, r.sku, r.quantity) for r in rows]


def new_events(pb: Pegboard, before: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """(type, payload) of each outbox event written since the ids in `before`."""
    with pb.reader() as uow:
        conn = uow.connection
        rows = conn.execute(select(t.outbox.c.id, t.outbox.c.event_type, t.outbox.c.payload))
        return [(r.event_type, json.loads(r.payload)) for r in rows if r.id not in before]


def told(ref: str, events: list[tuple[str, dict[str, Any]]], *, serves: str | None) -> bool:
    """Some event names the PO or MO `ref` (or, for a drop-ship PO, the sales order it serves)."""
    for _, payload in events:
        if ref in (payload.get("supply_ref"), payload.get("mo_ref")):
            return True
        if serves is not None and payload.get("order_ref") == serves:
            return True
    return False


def move_told(move: tuple[str, str | None, str, Decimal], events: list[tuple[str, dict[str, Any]]]) -> bool:
    kind, reference, sku, quantity = move
    if kind not in TOLD_BY:
        return True  # shipments are the orders' events (test_order_events.py)
    event_type, key = TOLD_BY[kind]
    for found, payload in events:
        if found != event_type:
            continue
        if key is None and payload["sku"] == sku and Decimal(payload["quantity"]) == quantity:
            return True
        if key is not None and payload[key] == reference:
            return True
    return False


def step(pb: Pegboard, use_case: Callable[[], object]) -> tuple[set[str], list[tuple[str, dict[str, Any]]]]:
    """Run one use case; check that every change it made to a PO, an MO or the stock is told, and
    that no event came twice. Returns the POs and MOs it changed and the supply events it wrote."""
    before = written(pb)
    use_case()
    after = written(pb)
    events = new_events(pb, before.event_ids)
    serves = dropship_order_refs(pb)
    changed = {ref for ref, state in after.pos.items() if ref in before.pos and before.pos[ref] != state}
    changed |= {ref for ref, state in after.mos.items() if ref in before.mos and before.mos[ref] != state}
    silent = sorted(ref for ref in changed if not told(ref, events, serves=serves.get(ref)))
    assert not silent, f"supply orders changed with no event in the outbox: {silent}"
    untold = [move for move in new_moves(pb, before.last_move) if not move_told(move, events)]
    assert not untold, f"stock moved with no event in the outbox: {untold}"
    twice = [event for event, n in Counter(json.dumps(e, sort_keys=True) for e in events).items() if n > 1]
    assert not twice, f"events written twice: {twice}"
    return changed, [(kind, payload) for kind, payload in events if kind in SUPPLY_EVENTS]


def workshop(pb: Pegboard) -> None:
    """SABER (made in 2 days) = HILT + 2 CRYSTAL; KETTLE, HILT and CRYSTAL bought from Acme; CHAIR
    drop-shipped by Chair Co."""
    catalogue.save_suppliers(
        [Supplier("Acme", lead_time_days=3), Supplier("Chair Co", lead_time_days=5)], uow=pb.uow()
    )
    catalogue.save_items(
        [
            Item("KETTLE", "Kettle", Procurement.BUY, supplier="Acme"),
            Item("HILT", "Hilt", Procurement.BUY, supplier="Acme"),
            Item("CRYSTAL", "Crystal", Procurement.BUY, supplier="Acme"),
            Item("SABER", "Saber", Procurement.MAKE, lead_time_days=2),
            Item("CHAIR", "Chair", Procurement.DROPSHIP, supplier="Chair Co", cost=to_money("40")),
        ],
        uow=pb.uow(),
    )
    catalogue.save_boms(
        {"SABER": [BomLine("HILT", to_quantity(1)), BomLine("CRYSTAL", to_quantity(2))]}, uow=pb.uow()
    )


def receive(pb: Pegboard, po_ref: str, sku: str, quantity: int) -> object:
    return purchasing.receive(po_ref, sku, Decimal(quantity), uow=pb.uow(), clock=pb.clock, policy=FIFO)


def complete(pb: Pegboard, mo_ref: str, quantity: int | None = None) -> object:
    amount = None if quantity is None else Decimal(quantity)
    return manufacturing.complete_manufacturing_order(
        mo_ref, amount, uow=pb.uow(), clock=pb.clock, policy=FIFO
    )


def reschedule(pb: Pegboard, ref: str, days: int) -> object:
    return purchasing.reschedule(ref, pb.clock.today() + timedelta(days=days), uow=pb.uow(), clock=pb.clock)


def place_chairs(pb: Pegboard, order_ref: str, quantity: int) -> object:
    draft = orders.OrderDraft(
        order_ref=order_ref,
        customer="Ada",
        email="ada@example.com",
        ship_to="Ada Lovelace, 12 St James's Square, London",
        lines=(orders.LineDraft("CHAIR", to_quantity(quantity), to_money("99")),),
    )
    return orders.place_order(draft, uow=pb.uow(), clock=pb.clock)


def test_every_service_that_changes_a_po_an_mo_or_a_count_puts_an_event_in_the_outbox(pb: Pegboard) -> None:
    workshop(pb)
    assert step(pb, lambda: set_stock(pb, KETTLE=1, HILT=5, CRYSTAL=10))[0] == set()
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-1,Acme,KETTLE,5,2026-12-07,3\n",
    )
    make_order(pb, "SO-1", ("KETTLE", 3))
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(3), uow=pb.uow(), clock=pb.clock)
    place_chairs(pb, "SO-2", 3)
    [chairs] = list(dropship_order_refs(pb))

    assert step(pb, lambda: receive(pb, "PO-1", "KETTLE", 2))[0] == {"PO-1"}
    assert step(pb, lambda: reschedule(pb, "PO-1", 10))[0] == {"PO-1"}
    assert step(pb, lambda: complete(pb, mo.mo_ref, 1))[0] == {mo.mo_ref}
    assert step(pb, lambda: reschedule(pb, mo.mo_ref, 6))[0] == {mo.mo_ref}
    assert step(pb, lambda: complete(pb, mo.mo_ref))[0] == {mo.mo_ref}
    assert step(pb, lambda: import_text(pb, ImportKind.STOCK, "sku,quantity\nKETTLE,1\n"))[0] == set()
    assert step(pb, lambda: receive(pb, chairs, "CHAIR", 1))[0] == {chairs}  # the supplier shipped
    cancel = lambda: orders.cancel_order("SO-2", None, uow=pb.uow(), clock=pb.clock, policy=FIFO)  # noqa: E731
    assert step(pb, cancel)[0] == {chairs}  # what the supplier had not shipped is no longer expected
    assert step(pb, lambda: receive(pb, "PO-1", "KETTLE", 3))[0] == {"PO-1"}


def test_each_receipt_completion_date_change_and_count_reaches_the_outbox_exactly_once(pb: Pegboard) -> None:
    workshop(pb)
    set_stock(pb, HILT=5, CRYSTAL=10)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-1,Acme,KETTLE,5,2026-12-07,3\n",
    )
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(2), uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-1", ("KETTLE", 2))
    place_chairs(pb, "SO-2", 1)
    [chairs] = list(dropship_order_refs(pb))
    monday = pb.clock.today()

    def days(n: int) -> str:
        return (monday + timedelta(days=n)).isoformat()

    def counted(**quantities: int) -> None:
        stock.count(
            {sku: Decimal(q) for sku, q in quantities.items()},
            reason="shelf",
            uow=pb.uow(),
            clock=pb.clock,
            policy=FIFO,
        )

    assert step(pb, lambda: receive(pb, "PO-1", "KETTLE", 3))[1] == [
        ("StockReceived", {"supply_ref": "PO-1", "sku": "KETTLE", "quantity": "3"})
    ]
    assert step(pb, lambda: reschedule(pb, "PO-1", 20))[1] == [
        ("ExpectedDateChanged", {"supply_ref": "PO-1", "old_date": "2026-12-07", "new_date": days(20)})
    ]
    assert step(pb, lambda: reschedule(pb, mo.mo_ref, 9))[1] == [
        ("ExpectedDateChanged", {"supply_ref": mo.mo_ref, "old_date": days(2), "new_date": days(9)})
    ]
    assert step(pb, lambda: complete(pb, mo.mo_ref))[1] == [
        ("ManufacturingCompleted", {"mo_ref": mo.mo_ref, "sku": "SABER", "quantity": "2"})
    ]
    assert step(pb, lambda: counted(KETTLE=1, HILT=3, SABER=0))[1] == [
        ("StockAdjusted", {"sku": "KETTLE", "quantity": "-2", "reason": "shelf"}),
        ("StockAdjusted", {"sku": "SABER", "quantity": "-2", "reason": "shelf"}),
    ]
    assert step(pb, lambda: receive(pb, chairs, "CHAIR", 1))[1] == []  # a dispatch: SO-2 is shipped

    # A web form or an API request joins one shared transaction, committed once at the end.
    shared = SharedTransaction(pb.uow())
    purchasing.receive("PO-1", "KETTLE", Decimal(1), uow=shared, clock=pb.clock, policy=FIFO)
    assert step(pb, shared.finish)[1] == [
        ("StockReceived", {"supply_ref": "PO-1", "sku": "KETTLE", "quantity": "1"})
    ]

    # A preview of a reschedule rolls back: neither the date change nor anything else is written.
    preview = lambda: preview_reschedule("PO-1", pb.clock.today(), uow=pb.uow(), today=monday)  # noqa: E731
    before = written(pb)
    assert step(pb, preview) == (set(), [])
    assert written(pb) == before


def test_a_refused_completion_writes_no_event(pb: Pegboard) -> None:
    workshop(pb)
    set_stock(pb, HILT=1, CRYSTAL=1)
    mo = manufacturing.open_manufacturing_order("SABER", to_quantity(1), uow=pb.uow(), clock=pb.clock)
    before = written(pb)

    with pytest.raises(MissingMaterials):
        complete(pb, mo.mo_ref)

    assert written(pb) == before  # the MO recorded its completion, but nothing was committed
