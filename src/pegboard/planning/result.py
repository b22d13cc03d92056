"""The plan: promises with their pegging, purchase and production suggestions, the production queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

#: What a promise rests on when it is not a firm PO or MO (those are named by their ref).
STOCK = "stock"
PLANNED_PO = "planned PO"
PLANNED_MO = "planned MO"
OPEN_TERM = "open term"

JsonValue = int | float | str | None | list["JsonValue"] | dict[str, "JsonValue"]


class Promise(NamedTuple):
    """When (part of) a backordered line is expected to ship, and the supply it rests on."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    date: date | None
    reason: str
    basis: str


class PurchaseSuggestion(NamedTuple):
    """A line of a suggested PO: order it today, expect it then (None: open term)."""

    supplier: str | None
    sku: str
    quantity: Decimal
    order_date: date
    expected_date: date | None


class ProductionSuggestion(NamedTuple):
    """A suggested MO: planned MOs of one SKU with the same dates, merged."""

    ref: str
    sku: str
    quantity: Decimal
    start_date: date | None
    finish_date: date | None


class MissingMaterial(NamedTuple):
    """A component an MO still waits for and the day it becomes available (None: open term)."""

    sku: str
    quantity: Decimal
    available_date: date | None


class QueueEntry(NamedTuple):
    """One firm or planned MO in the order the workshop should make them."""

    ref: str
    sku: str
    quantity: Decimal
    start_date: date | None
    finish_date: date | None
    completes: tuple[str, ...]
    missing: tuple[MissingMaterial, ...]


@dataclass(frozen=True)
class PlanResult:
    """What a planning run gives back; `to_json` follows the `pegboard plan --json` contract.

    The engine gives `promises` as a `planning.promise_table.PromiseTable`: a sequence of
    `Promise` kept as columns, whose tuples are built only when iterated or indexed."""

    promises: Sequence[Promise]
    purchase_suggestions: Sequence[PurchaseSuggestion]
    production_suggestions: Sequence[ProductionSuggestion]
    production_queue: Sequence[QueueEntry]

    def to_json(self) -> dict[str, JsonValue]:
        """The plan as JSON-ready data: words of DESIGN.md as keys, ISO dates, numbers as numbers."""
        json_rows = getattr(self.promises, "json_rows", None)
        promises: list[JsonValue] = (
            json_rows()
            if json_rows is not None
            else [
                {
                    "order_ref": p.order_ref,
                    "line_no": p.line_no,
                    "sku": p.sku,
                    "quantity": json_number(p.quantity),
                    "date": iso(p.date),
                    "reason": p.reason,
                    "basis": p.basis,
                }
                for p in self.promises
            ]
        )
        return {
            "promises": promises,
            "purchase_suggestions": [
                {
                    "supplier": s.supplier,
                    "sku": s.sku,
                    "quantity": json_number(s.quantity),
                    "order_date": iso(s.order_date),
                    "expected_date": iso(s.expected_date),
                }
                for s in self.purchase_suggestions
            ],
            "production_suggestions": [
                {
                    "ref": s.ref,
                    "sku": s.sku,
                    "quantity": json_number(s.quantity),
                    "start_date": iso(s.start_date),
                    "finish_date": iso(s.finish_date),
                }
                for s in self.production_suggestions
            ],
            "production_queue": [_entry_json(e) for e in self.production_queue],
        }


def _entry_json(entry: QueueEntry) -> dict[str, JsonValue]:
    return {
        "ref": entry.ref,
        "sku": entry.sku,
        "quantity": json_number(entry.quantity),
        "start_date": iso(entry.start_date),
        "finish_date": iso(entry.finish_date),
        "completes": list(entry.completes),
        "missing": [
            {"sku": m.sku, "quantity": json_number(m.quantity), "available_date": iso(m.available_date)}
            for m in entry.missing
        ],
    }


def json_number(quantity: Decimal) -> int | float:
    """A quantity as a JSON number: an int when whole, else a float."""
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return float(quantity)


def iso(day: date | None) -> str | None:
    """A date as ISO `YYYY-MM-DD`, or None for open term."""
    return None if day is None else day.isoformat()
