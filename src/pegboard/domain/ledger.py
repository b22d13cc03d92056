"""The stock ledger: append-only movements; on hand is their sum."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pegboard.domain.quantities import ZERO, Quantity


class MoveKind(StrEnum):
    """Why stock moved."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    CONSUMPTION = "consumption"
    PRODUCTION = "production"


@dataclass(frozen=True)
class StockMove:
    """One movement in or out of the warehouse: positive in, negative out; never edited."""

    sku: str
    quantity: Decimal
    kind: MoveKind
    moved_on: date
    reference: str = ""
    reason: str = ""


def on_hand(moves: Iterable[StockMove]) -> Quantity:
    """On hand is the sum of all movements."""
    return Quantity(sum((move.quantity for move in moves), ZERO))
