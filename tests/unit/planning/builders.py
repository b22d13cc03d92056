"""Short builders for plan inputs: the lightsaber workshop of DESIGN.md and small helpers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from pegboard.planning.snapshot import (
    BackorderDemand,
    OpenManufacturingOrder,
    OpenPurchaseLine,
    PlanBomLine,
    PlanInput,
    PlanItem,
)

TODAY = date(2026, 12, 1)
FIRST_ORDER_AT = datetime(2026, 11, 30, 9, 0)


def day(offset: int) -> date:
    """The day `offset` days after TODAY."""
    return TODAY + timedelta(days=offset)


def q(value: int | str) -> Decimal:
    """A quantity from an int or a string."""
    return Decimal(value)


def backorder(
    order_ref: str, sku: str, quantity: int | str, *, line_no: int = 1, priority: int = 0, minute: int = 0
) -> BackorderDemand:
    """A backordered line part, ordered `minute` minutes after the first order."""
    return BackorderDemand(
        order_ref=order_ref,
        line_no=line_no,
        sku=sku,
        quantity=q(quantity),
        priority=priority,
        ordered_at=FIRST_ORDER_AT + timedelta(minutes=minute),
    )


def lightsaber_items() -> list[PlanItem]:
    """Sabers are made in a day from a hilt, an emitter and a crystal; crystals come when they come."""
    traders = {"supplier": "Passing Traders", "supplier_lead_time_days": 3}
    return [
        PlanItem("SABER-GREEN", "make", lead_time_days=1),
        PlanItem("SABER-BLUE", "make", lead_time_days=1),
        PlanItem("HILT", "buy", **traders),  # type: ignore[arg-type]
        PlanItem("EMITTER", "buy", **traders),  # type: ignore[arg-type]
        PlanItem("KYBER-GREEN", "buy", supplier="Crystal Broker"),
        PlanItem("KYBER-BLUE", "buy", supplier="Crystal Broker"),
    ]


def lightsaber_boms() -> list[PlanBomLine]:
    """Each saber = 1 hilt + 1 emitter + 1 crystal of its colour."""
    return [
        PlanBomLine(saber, component, q(1))
        for saber, crystal in (("SABER-GREEN", "KYBER-GREEN"), ("SABER-BLUE", "KYBER-BLUE"))
        for component in ("HILT", "EMITTER", crystal)
    ]


def lightsaber_workshop(*, crystal_po_due: date | None = None) -> PlanInput:
    """After SO-1 shipped 2 green + 1 blue and SO-3 shipped: 1 green for SO-1 and 2 for SO-2 wait."""
    purchases = []
    if crystal_po_due is not None:
        purchases.append(OpenPurchaseLine("PO-1", "KYBER-GREEN", q(2), crystal_po_due))
    return PlanInput(
        today=TODAY,
        items=lightsaber_items(),
        bom_lines=lightsaber_boms(),
        available={
            "SABER-GREEN": q(0),
            "SABER-BLUE": q(4),
            "HILT": q(10),
            "EMITTER": q(10),
            "KYBER-GREEN": q(1),
            "KYBER-BLUE": q(4),
        },
        purchase_lines=purchases,
        demands=[
            backorder("SO-1", "SABER-GREEN", 1, minute=0),
            backorder("SO-2", "SABER-GREEN", 2, minute=5),
        ],
    )


def buy(sku: str, *, days: int | None = 5, supplier: str | None = "Acme", **rules: Decimal) -> PlanItem:
    """A bought item: `days` is the item's own lead time (None: unpredictable)."""
    return PlanItem(sku, "buy", lead_time_days=days, supplier=supplier, **rules)  # type: ignore[arg-type]


def make(sku: str, *, days: int = 1, **rules: Decimal) -> PlanItem:
    """A made item with `days` of production."""
    return PlanItem(sku, "make", lead_time_days=days, **rules)  # type: ignore[arg-type]


def bom(parent: str, *components: tuple[str, int | str]) -> list[PlanBomLine]:
    """BOM lines: bom("BIKE", ("FRAME", 1), ("BOLT", 2))."""
    return [PlanBomLine(parent, sku, q(per)) for sku, per in components]


def snapshot(
    items: list[PlanItem],
    *demands: BackorderDemand,
    boms: list[PlanBomLine] | None = None,
    stock: dict[str, int | str] | None = None,
    purchases: list[OpenPurchaseLine] | None = None,
    mos: list[OpenManufacturingOrder] | None = None,
) -> PlanInput:
    """A plan input on TODAY."""
    return PlanInput(
        today=TODAY,
        items=items,
        bom_lines=boms or [],
        available={sku: q(n) for sku, n in (stock or {}).items()},
        purchase_lines=purchases or [],
        manufacturing_orders=mos or [],
        demands=list(demands),
    )


def po(ref: str, sku: str, quantity: int | str, due: int | None) -> OpenPurchaseLine:
    """An open PO line due `due` days from TODAY (None: no date)."""
    return OpenPurchaseLine(ref, sku, q(quantity), None if due is None else day(due))


def mo(ref: str, sku: str, quantity: int | str, start: int, finish: int) -> OpenManufacturingOrder:
    """An open MO from `start` to `finish`, in days from TODAY."""
    return OpenManufacturingOrder(ref, sku, q(quantity), day(start), day(finish))
