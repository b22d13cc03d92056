"""Purchasing: purchase orders, (partial) receipts, and expected-date changes.

A drop-ship PO serves one sales order: the supplier ships straight to the customer, so its
receipt is the supplier's confirmation of dispatch and never moves our stock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import DuplicateRef, InvalidValue, UnknownSupplier
from pegboard.domain.events import PromiseChanged
from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import LineKind, SalesOrder
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine, SupplyStatus
from pegboard.services import books
from pegboard.services.allocating import allocate_waiting
from pegboard.services.lookup import existing_mo, existing_order, existing_po
from pegboard.services.planning import repromise, repromise_moves
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.valuation import move_stock


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
    tracking: str | None = None,
) -> PurchaseOrder:
    """Book a (partial) receipt and hand the new stock to waiting backorders.

    On a drop-ship PO it is the supplier's confirmation of dispatch: the order lines it serves
    are marked shipped (with `tracking`, when the supplier gave one) and no stock moves.
    """
    with uow:
        stocks = uow.stock.lock([sku])
        po = existing_po(uow, po_ref, lock=True)
        if po.is_dropship:
            _confirm_dispatch(po, sku, quantity, tracking=tracking, uow=uow, today=clock.today())
            uow.commit()
            return po
        po.receive(sku, quantity)
        stocks[sku].move(quantity)
        move = StockMove(sku, quantity, MoveKind.RECEIPT, clock.today(), po_ref)
        value = move_stock(uow, move, unit_cost=books.receipt_unit_cost(uow, po, sku))
        books.book_receipt(uow, po, sku, quantity, value=value, on=clock.today())
        uow.supply.save_purchase_order(po)
        allocate_waiting(uow, stocks, policy=policy)
        repromise([sku], uow=uow, today=clock.today())
        uow.commit()
    return po


def reschedule(supply_ref: str, new_date: date, *, uow: UnitOfWork, clock: Clock) -> date | None:
    """Give a PO or MO a new expected date; kept as history, announced, and the lines it serves
    are promised again (only those whose date moves hear of it)."""
    with uow:
        old, _ = rescheduled(supply_ref, new_date, uow=uow, today=clock.today())
        uow.commit()
    return old


def rescheduled(
    supply_ref: str, new_date: date, *, uow: UnitOfWork, today: date
) -> tuple[date | None, Sequence[PromiseChanged]]:
    """Reschedule inside the caller's transaction: (the old date, the line promises that moved)."""
    po = uow.supply.purchase_order(supply_ref, lock=True)
    if po is not None:
        old = po.reschedule(new_date)
        uow.supply.save_purchase_order(po)
        kind, skus = "po", [line.sku for line in po.lines]
    else:
        mo = existing_mo(uow, supply_ref, lock=True, field="ref")
        old = mo.reschedule(new_date)
        uow.supply.save_manufacturing_order(mo)
        kind, skus = "mo", [mo.sku]
    uow.supply.record_date_change(supply_ref, kind=kind, old_date=old, new_date=new_date, on=today)
    _, moved = repromise_moves(skus, uow=uow, today=today)
    return old, moved


def _confirm_dispatch(
    po: PurchaseOrder, sku: str, quantity: Decimal, *, tracking: str | None, uow: UnitOfWork, today: date
) -> None:
    """The supplier shipped `quantity` of `sku` to the customer: a shipment of the lines it serves."""
    assert po.order_ref is not None
    order = existing_order(uow, po.order_ref, lock=True)
    before = [line.received_quantity for line in po.lines]
    po.receive(sku, quantity)
    shipped: dict[int, Decimal] = {}
    for line, old in zip(po.lines, before, strict=True):
        if line.received_quantity != old and line.order_line_no is not None:
            shipped[line.order_line_no] = shipped.get(line.order_line_no, Decimal(0)) + (
                line.received_quantity - old
            )
    number = uow.orders.shipment_count(order.order_ref) + 1
    shipment = order.confirm_dispatch(
        shipped, shipment_ref=f"{order.order_ref}-S{number}", on=today, tracking=tracking or None
    )
    uow.supply.save_purchase_order(po)
    uow.orders.save(order)
    uow.orders.add_shipment(shipment)
    costs = {line.order_line_no: line.unit_cost or Decimal(0) for line in po.lines if line.order_line_no}
    books.book_shipment(uow, order, shipment, dropship_costs=costs)
    repromise([sku], uow=uow, today=today)


def open_dropship_orders(
    orders: Sequence[SalesOrder], *, uow: UnitOfWork, on: date | None = None
) -> list[PurchaseOrder]:
    """Put the orders' drop-ship lines on drop-ship POs: one open PO per sales order and supplier,
    joined when it exists, opened when not; returns the POs opened or joined.

    Each PO line serves one order line: the item's cost, due the order date (or `on`, for lines
    added later) plus the supplier's lead time (else the item's; none means no date yet),
    shipped to the order's address. A drop-ship item without a supplier refuses the order.
    """
    lines = [(o, line) for o in orders for line in o.lines if line.kind is LineKind.DROPSHIP]
    items = uow.catalogue.items({line.sku for _, line in lines})
    lead_times: dict[str, int | None] = {}
    grouped: dict[tuple[str, str], list[PurchaseOrderLine]] = {}
    for order, line in lines:
        item = items[line.sku]
        if not item.supplier:
            raise InvalidValue("sku", line.sku, "is a dropship item without a supplier to ship it")
        if item.supplier not in lead_times:
            found = uow.catalogue.supplier(item.supplier)
            if found is None:
                raise UnknownSupplier(item.supplier, field="supplier")
            lead_times[item.supplier] = found.lead_time_days
        lead = lead_times[item.supplier]
        if lead is None:
            lead = item.lead_time_days
        start = on or order.ordered_at.date()
        due = None if lead is None else start + timedelta(days=lead)
        grouped.setdefault((order.order_ref, item.supplier), []).append(
            PurchaseOrderLine(line.sku, line.quantity, due, item.cost, order_line_no=line.line_no)
        )
    by_ref = {o.order_ref: o for o in orders}
    still_open = {
        (po.order_ref, po.supplier): po
        for order_ref in sorted({ref for ref, _ in grouped})
        for po in uow.supply.dropship_orders(order_ref, lock=True)
        if po.status in (SupplyStatus.OPEN, SupplyStatus.PARTIALLY_RECEIVED)
    }
    touched = []
    for (order_ref, supplier), po_lines in grouped.items():
        po = still_open.get((order_ref, supplier))
        if po is None:
            po = PurchaseOrder(
                _free_po_ref(uow), supplier, po_lines, order_ref=order_ref, ship_to=by_ref[order_ref].ship_to
            )
            uow.supply.add_purchase_order(po)
        else:
            po.lines.extend(po_lines)
            po.refresh_status()
            uow.supply.save_purchase_order(po)
        touched.append(po)
    return touched


def cancel_dropship_rest(
    order: SalesOrder, cancelled_before: Mapping[int, Decimal], *, uow: UnitOfWork
) -> None:
    """What was newly cancelled on the order's drop-ship lines (and only that much: a shop may
    reduce a line in part) is no longer expected from the supplier."""
    to_cancel = {
        line.line_no: line.cancelled_quantity - cancelled_before[line.line_no]
        for line in order.lines
        if line.kind is LineKind.DROPSHIP and line.cancelled_quantity > cancelled_before[line.line_no]
    }
    if not to_cancel:
        return
    for po in uow.supply.dropship_orders(order.order_ref, lock=True):
        touched = False
        for line_no, quantity in to_cancel.items():  # every line, not the first only
            cancelled = po.cancel_open(line_no, quantity) if quantity > 0 else ZERO
            to_cancel[line_no] = quantity - cancelled
            touched = touched or cancelled > 0
        if touched:
            uow.supply.save_purchase_order(po)


def _free_po_ref(uow: UnitOfWork) -> str:
    """The next PO ref of the series that no purchase order uses yet (imported refs may share it)."""
    while True:
        ref = uow.supply.next_ref("PO")
        if uow.supply.purchase_order(ref) is None:
            return ref
