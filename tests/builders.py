"""Short builders for test data: keyword-only, with defaults that read well."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.items import Item, Procurement, Supplier
from pegboard.domain.quantities import to_money, to_quantity
from pegboard.domain.sales import SalesOrder, ShipPolicy
from pegboard.services import catalogue, imports, orders, stock
from pegboard.services.imports import ImportKind


def make_items(
    pb: Pegboard, *skus: str, procurement: Procurement = Procurement.BUY, supplier: str = "Acme"
) -> None:
    """Buy items (from one supplier) with these SKUs."""
    catalogue.save_suppliers([Supplier(supplier, lead_time_days=3)], uow=pb.uow())
    catalogue.save_items(
        [Item(sku, sku.title(), procurement, supplier=supplier) for sku in skus], uow=pb.uow()
    )


def set_stock(pb: Pegboard, policy: AllocationPolicy = AllocationPolicy.FIFO, **counts: int | str) -> None:
    """Count stock: set_stock(pb, KETTLE=4) sets KETTLE's on hand to 4."""
    stock.count_stock(
        {sku.replace("_", "-"): to_quantity(q, allow_zero=True) for sku, q in counts.items()},
        reason="test count",
        uow=pb.uow(),
        clock=pb.clock,
        policy=policy,
    )


def make_order(
    pb: Pegboard,
    ref: str,
    *lines: tuple[str, int | str],
    priority: int = 0,
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL,
    ordered_at: datetime | None = None,
    customer: str = "Ada",
) -> SalesOrder:
    """Place an order with (sku, quantity) lines."""
    draft = orders.OrderDraft(
        order_ref=ref,
        customer=customer,
        email=f"{customer.lower()}@example.com",
        ordered_at=ordered_at,
        priority=priority,
        ship_policy=ship_policy,
        lines=tuple(orders.LineDraft(sku, to_quantity(q), to_money("10")) for sku, q in lines),
    )
    return orders.place_order(draft, uow=pb.uow(), clock=pb.clock).order


def import_text(
    pb: Pegboard, kind: ImportKind, text: str, policy: AllocationPolicy = AllocationPolicy.FIFO
) -> imports.ImportResult:
    """Import CSV text as if it were a file."""
    return imports.import_csv(
        kind, io.StringIO(text), source=f"{kind}.csv", uow=pb.uow(), clock=pb.clock, policy=policy
    )


def line_state(pb: Pegboard, ref: str) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    """(sku, allocated, shipped, backordered, cancelled) per line of an order."""
    with pb.reader() as uow:
        order = uow.orders.get(ref)
    assert order is not None
    return [
        (
            line.sku,
            line.allocated_quantity,
            line.shipped_quantity,
            line.backordered_quantity,
            line.cancelled_quantity,
        )
        for line in order.lines
    ]
