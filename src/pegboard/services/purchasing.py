"""Purchasing: purchase orders, (partial) receipts, and expected-date changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import DuplicateRef, UnknownSupplier
from pegboard.domain.events import Event, ExpectedDateChanged, StockReceived
from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.domain.supply import PurchaseOrder
from pegboard.services.allocating import allocate_waiting
from pegboard.services.lookup import existing_mo, existing_po
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork


def add_purchase_orders(pos: list[PurchaseOrder], *, uow: UnitOfWork) -> int:
    """Store new purchase orders; a ref already used with other content is refused."""
    created = 0
    with uow:
        for po in pos:
            existing = uow.supply.purchase_order(po.po_ref)
            if existing is not None:
                if _po_key(existing) != _po_key(po):
                    raise DuplicateRef(po.po_ref, "a purchase order with this ref exists")
                continue
            if uow.catalogue.supplier(po.supplier) is None:
                raise UnknownSupplier(po.supplier, field="supplier")
            uow.supply.add_purchase_order(po)
            created += 1
        uow.commit()
    return created


def _po_key(po: PurchaseOrder) -> tuple[object, ...]:
    return (
        po.supplier,
        tuple((line.sku, line.quantity, line.expected_date, line.unit_cost) for line in po.lines),
    )


def receive(
    po_ref: str,
    sku: str,
    quantity: Decimal,
    *,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> PurchaseOrder:
    """Book a (partial) receipt and hand the new stock to waiting backorders."""
    with uow:
        stocks = uow.stock.lock([sku])
        po = existing_po(uow, po_ref, lock=True)
        po.receive(sku, quantity)
        stocks[sku].move(quantity)
        uow.stock.add_move(StockMove(sku, quantity, MoveKind.RECEIPT, clock.today(), po_ref))
        uow.supply.save_purchase_order(po)
        events: list[Event] = [StockReceived(po_ref, sku, quantity)]
        events += allocate_waiting(uow, stocks, policy=policy)
        uow.outbox.add(events)
        repromise([sku], uow=uow, today=clock.today())
        uow.commit()
    return po


def reschedule(supply_ref: str, new_date: date, *, uow: UnitOfWork, clock: Clock) -> date | None:
    """Give a PO or MO a new expected date; kept as history, announced, and the lines it serves
    are promised again (only those whose date moves hear of it)."""
    with uow:
        po = uow.supply.purchase_order(supply_ref, lock=True)
        if po is not None:
            old = po.reschedule(new_date)
            uow.supply.save_purchase_order(po)
            kind, skus = "po", [line.sku for line in po.lines]
        else:
            mo = existing_mo(uow, supply_ref, lock=True)
            old = mo.reschedule(new_date)
            uow.supply.save_manufacturing_order(mo)
            kind, skus = "mo", [mo.sku]
        uow.supply.record_date_change(
            supply_ref, kind=kind, old_date=old, new_date=new_date, on=clock.today()
        )
        uow.outbox.add([ExpectedDateChanged(supply_ref, old, new_date)])
        repromise(skus, uow=uow, today=clock.today())
        uow.commit()
    return old
