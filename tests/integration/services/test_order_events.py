"""Every change a service makes to a sales order reaches the outbox, in the same transaction.

The events come from the orders themselves (`SalesOrder.events`) and from the stock handed to
waiting lines; the unit of work writes them at commit. Each step below is one use case; after
it, every order whose lines or status changed must have a new outbox event naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services import orders, purchasing, shipping, shopify
from pegboard.services.imports import ImportKind
from tests.builders import import_text, make_items, make_order, set_stock
from tests.integration.services.test_shopify import CREATE, UPDATED, deliver, retry
from tests.shopify_server import order_json

FIFO = AllocationPolicy.FIFO

State = dict[str, tuple[object, ...]]


def order_states(pb: Pegboard) -> State:
    """Each order's status and its lines' quantities, by order ref."""
    with pb.reader() as uow:
        refs = [r.order_ref for r in uow.connection.execute(select(t.sales_orders.c.order_ref))]
        found = uow.orders.get_many(refs)
    return {
        ref: (
            order.status,
            tuple(
                (line.allocated_quantity, line.shipped_quantity, line.cancelled_quantity, line.quantity)
                for line in order.lines
            ),
        )
        for ref, order in found.items()
    }


def outbox_refs(pb: Pegboard) -> list[str | None]:
    with pb.reader() as uow:
        return [r.order_ref for r in uow.connection.execute(select(t.outbox.c.order_ref))]


def step(pb: Pegboard, use_case: Callable[[], object]) -> set[str]:
    """Run one use case; return the orders it changed, after checking each has a new event."""
    before, events_before = order_states(pb), outbox_refs(pb)
    use_case()
    after, events_after = order_states(pb), outbox_refs(pb)
    changed = {ref for ref, state in after.items() if before.get(ref) != state}
    new_events = list(events_after)
    for ref in events_before:
        new_events.remove(ref)
    silent = sorted(ref for ref in changed if ref not in new_events)
    assert not silent, f"orders changed with no event in the outbox: {silent}"
    return changed


def test_every_service_that_changes_an_order_puts_an_event_in_the_outbox(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=3, MUG=2)

    assert step(pb, lambda: make_order(pb, "SO-1", ("KETTLE", 2), ("MUG", 1))) == {"SO-1"}
    assert step(pb, lambda: make_order(pb, "SO-2", ("KETTLE", 4))) == {"SO-2"}
    assert step(pb, lambda: shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)) == {"SO-1"}
    assert step(pb, lambda: set_stock(pb, KETTLE=0)) == {"SO-2"}  # the count takes its stock back
    import_text(
        pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity,unit_cost\nPO-1,Acme,KETTLE,5,3\n"
    )
    assert step(pb, lambda: receive(pb, "PO-1", "KETTLE", 2)) == {"SO-2"}
    assert step(pb, lambda: cancel(pb, "SO-2", "KETTLE")) == {"SO-2"}
    assert step(pb, lambda: make_order(pb, "SO-3", ("MUG", 1), ("KETTLE", 1))) == {"SO-3"}
    assert step(pb, lambda: cancel(pb, "SO-3")) == {"SO-3"}


def receive(pb: Pegboard, po_ref: str, sku: str, quantity: int) -> object:
    return purchasing.receive(po_ref, sku, Decimal(quantity), uow=pb.uow(), clock=pb.clock, policy=FIFO)


def cancel(pb: Pegboard, order_ref: str, sku: str | None = None) -> object:
    return orders.cancel_order(order_ref, sku, uow=pb.uow(), clock=pb.clock, policy=FIFO)


def test_shopify_reductions_and_additions_reach_the_outbox(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=5, MUG=5)

    assert step(pb, lambda: deliver(pb, CREATE, order_json(lines=[("KETTLE", 3)]))) == {"SHOP-1001"}
    reduced = order_json(lines=[("KETTLE", 3)], current={"KETTLE": 1}, updated_at="2026-11-23T12:00:00Z")
    assert step(pb, lambda: deliver(pb, UPDATED, reduced)) == {"SHOP-1001"}
    grown = order_json(lines=[("KETTLE", 1), ("MUG", 2)], updated_at="2026-11-23T13:00:00Z")
    assert deliver(pb, UPDATED, grown).outcome is shopify.Outcome.HELD
    assert step(pb, lambda: retry(pb, 5_001_001)) == {"SHOP-1001"}
    cancelled = json.loads(json.dumps(grown)) | {"cancelled_at": "2026-11-23T14:00:00Z"}
    cancelled["updated_at"] = "2026-11-23T14:00:00Z"
    assert step(pb, lambda: deliver(pb, "orders/cancelled", cancelled)) == {"SHOP-1001"}
