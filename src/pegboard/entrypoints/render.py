"""Domain objects as JSON, with the same keys as the read views and the CLI's --json output.

Orders and stock figures are read models (`views.models`): their JSON is theirs."""

from __future__ import annotations

from typing import Any

from pegboard.domain.errors import Shortage
from pegboard.domain.items import BomLine, Item, Supplier
from pegboard.domain.sales import Shipment
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder
from pegboard.services.allocating import TakenBack
from pegboard.views.json import day, number

Json = dict[str, Any]


def shipment(found: Shipment) -> Json:
    """What left, per order line."""
    return {
        "shipment_ref": found.shipment_ref,
        "order_ref": found.order_ref,
        "shipped_on": day(found.shipped_on),
        "tracking": found.tracking,
        "lines": [
            {"line_no": line.line_no, "sku": line.sku, "quantity": number(line.quantity)}
            for line in found.lines
        ],
    }


def taken_back(taken: TakenBack) -> Json:
    """An order line a count took stock back from (it is on backorder again)."""
    return {
        "order_ref": taken.order_ref,
        "line_no": taken.line_no,
        "sku": taken.sku,
        "quantity": number(taken.quantity),
    }


def purchase_order(po: PurchaseOrder) -> Json:
    """A PO with what is expected and what came in per line; a drop-ship PO names its order."""
    return {
        "po_ref": po.po_ref,
        "supplier": po.supplier,
        "status": po.status.value,
        "dropship": po.is_dropship,
        "order_ref": po.order_ref,
        "ship_to": po.ship_to,
        "lines": [
            {
                "sku": line.sku,
                "quantity": number(line.quantity),
                "received": number(line.received_quantity),
                "expected_date": day(line.expected_date),
                "unit_cost": number(line.unit_cost),
                "order_line_no": line.order_line_no,
            }
            for line in po.lines
        ],
    }


def shortages(found: list[Shortage]) -> list[Json]:
    """Missing components, level 1 being the direct ones."""
    return [{"sku": s.sku, "quantity": number(s.quantity), "level": s.level} for s in found]


def manufacturing_order(mo: ManufacturingOrder, missing: list[Shortage] | None = None) -> Json:
    """An MO with its dates and progress; `missing` when a material check came with it."""
    body: Json = {
        "mo_ref": mo.mo_ref,
        "sku": mo.sku,
        "quantity": number(mo.quantity),
        "completed": number(mo.completed_quantity),
        "start_date": day(mo.start_date),
        "finish_date": day(mo.finish_date),
        "status": mo.status.value,
    }
    if missing is not None:
        body["missing"] = shortages(missing)
    return body


def supplier(found: Supplier) -> Json:
    """A supplier by name."""
    return {"name": found.name, "email": found.email, "lead_time_days": found.lead_time_days}


def item(found: Item) -> Json:
    """An item with its planning parameters."""
    return {
        "sku": found.sku,
        "name": found.name,
        "procurement": found.procurement.value,
        "unit": found.unit,
        "price": number(found.price),
        "cost": number(found.cost),
        "lead_time_days": found.lead_time_days,
        "supplier": found.supplier,
        "safety_stock": number(found.safety_stock),
        "reorder_point": number(found.reorder_point),
        "reorder_qty": number(found.reorder_qty),
        "min_order_qty": number(found.min_order_qty),
        "order_multiple": number(found.order_multiple),
        "release_date": day(found.release_date),
        "labour_cost": number(found.labour_cost),
        "tax_rate": number(found.tax_rate),
    }


def bom(parent_sku: str, lines: list[BomLine]) -> Json:
    """A parent's direct components and the quantity of each per parent unit."""
    return {
        "parent_sku": parent_sku,
        "lines": [
            {"component_sku": line.component_sku, "quantity": number(line.quantity_per)} for line in lines
        ],
    }
