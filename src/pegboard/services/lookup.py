"""Loading documents that must exist; a missing ref is an error naming it."""

from __future__ import annotations

from pegboard.domain.errors import UnknownOrder, UnknownSupplyOrder
from pegboard.domain.sales import SalesOrder
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder
from pegboard.services.ports import UnitOfWork


def existing_order(uow: UnitOfWork, order_ref: str, *, lock: bool = False) -> SalesOrder:
    """The sales order with this ref, or UnknownOrder."""
    order = uow.orders.get(order_ref, lock=lock)
    if order is None:
        raise UnknownOrder(order_ref, field="order_ref")
    return order


def existing_po(uow: UnitOfWork, po_ref: str, *, lock: bool = False) -> PurchaseOrder:
    """The purchase order with this ref, or UnknownSupplyOrder."""
    po = uow.supply.purchase_order(po_ref, lock=lock)
    if po is None:
        raise UnknownSupplyOrder(po_ref, field="po_ref")
    return po


def existing_mo(
    uow: UnitOfWork, mo_ref: str, *, lock: bool = False, field: str = "mo_ref"
) -> ManufacturingOrder:
    """The manufacturing order with this ref, or UnknownSupplyOrder naming the field it came in."""
    mo = uow.supply.manufacturing_order(mo_ref, lock=lock)
    if mo is None:
        raise UnknownSupplyOrder(mo_ref, field=field)
    return mo
