"""Stock bodies: a count; an item's stock and movements, and stock taken back."""

from __future__ import annotations

from pydantic import Field

from pegboard.domain.allocation import AllocationPolicy
from pegboard.entrypoints.api.schemas.fields import Counted, In, Number, Out, Reason


class CountIn(In):
    quantity: Counted = Field(description="What was counted on the shelf")
    reason: Reason
    policy: AllocationPolicy | None = None


class MovementOut(Out):
    date: str
    kind: str
    quantity: Number
    reference: str
    reason: str


class StockOut(Out):
    sku: str
    on_hand: Number
    allocated: Number
    available: Number
    movements: list[MovementOut]


class TakenBackOut(Out):
    """Reserved stock the count took back from an order line, which is on backorder again."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Number


class CountOut(Out):
    sku: str
    quantity: Number
    change: Number
    reason: str
    taken_back: list[TakenBackOut] = []
