"""The plan: promises with their pegging, purchase and production suggestions, the production queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import date as _date
from decimal import Decimal
from typing import NamedTuple

#: What a promise rests on when it is not a firm PO or MO (those are named by their ref).
STOCK = "stock"
PLANNED_PO = "planned PO"
PLANNED_MO = "planned MO"
OPEN_TERM = "open term"


class Promise(NamedTuple):
    """When (part of) a backordered line is expected to ship, and the supply it rests on."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    date: date | None
    reason: str
    basis: str
    #: The date before suppliers' history moved it (`planning.reliable`): the one the stated PO
    #: dates and lead times give; equal to `date` when nothing was adjusted.
    stated_date: _date | None


class AdjustedDate(NamedTuple):
    """A supply date and the stated one it comes from (`planning.reliable`): a PO line (`po_ref`),
    or the planned purchases of a SKU (`po_ref` None); `reason` says what the history says."""

    supplier: str
    sku: str
    po_ref: str | None
    stated_date: date | None
    date: date | None
    receipts: int
    learned: bool
    reason: str


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


class FeasibleDates(NamedTuple):
    """An open MO's dates as its materials allow (None: open term), and why they are later than its
    own when its components come after its start (`late_because` None: it keeps its own dates)."""

    ref: str
    sku: str
    start_date: date | None
    finish_date: date | None
    late_because: str | None


@dataclass(frozen=True)
class PlanResult:
    """What a planning run gives back (`views.plan.plan_json` turns it into `pegboard plan --json`).

    The engine gives `promises` as a `planning.promise_table.PromiseTable`: a sequence of
    `Promise` kept as columns, whose tuples are built only when iterated or indexed."""

    promises: Sequence[Promise]
    purchase_suggestions: Sequence[PurchaseSuggestion]
    production_suggestions: Sequence[ProductionSuggestion]
    production_queue: Sequence[QueueEntry]
    #: Every open MO's feasible dates (`planning.late_supply`); the stored MO keeps the user's.
    feasible_mos: Sequence[FeasibleDates] = ()
    #: PO lines and planned purchases whose dates their suppliers' history moved, or could not
    #: (too little history), with the stated date beside the one promises count on.
    adjusted_dates: Sequence[AdjustedDate] = ()
