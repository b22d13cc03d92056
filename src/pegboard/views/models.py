"""Typed read models of orders, backorders, preorders, supply and stock, each with its JSON.

The CLI's `--json`, the REST API and the pages read these, so an order is turned into JSON in
one place (`OrderView.to_json`); keys follow DESIGN.md's contracts, dates are ISO and quantities
JSON numbers (`views.json`). The REST API's answer schemas are checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pegboard.domain.options import parse_choices
from pegboard.domain.sales import SalesOrder
from pegboard.planning.values import plain_number
from pegboard.services.stock import StockView
from pegboard.views.json import day, number

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class OrderLineView:
    """A line with its quantities by state: the open rest is backordered, preordered or with the supplier."""

    line_no: int
    sku: str
    kind: str
    quantity: Decimal
    allocated: Decimal
    shipped: Decimal
    backordered: Decimal
    preordered: Decimal
    awaiting_supplier: Decimal
    cancelled: Decimal
    unit_price: Decimal | None
    backordered_on: date | None
    #: A configured line's choices (`COLOUR=green;HILT=engraved`); "" = plain.
    options: str = ""

    def to_json(self) -> Json:
        """The line as the orders contract shows it (`options`: the choices by option name)."""
        return {
            "line_no": self.line_no,
            "sku": self.sku,
            "kind": self.kind,
            "quantity": plain_number(self.quantity),
            "allocated": plain_number(self.allocated),
            "shipped": plain_number(self.shipped),
            "backordered": plain_number(self.backordered),
            "preordered": plain_number(self.preordered),
            "awaiting_supplier": plain_number(self.awaiting_supplier),
            "cancelled": plain_number(self.cancelled),
            "unit_price": number(self.unit_price),
            "backordered_on": day(self.backordered_on),
            "options": options_json(self.options),
        }


def options_json(options: str) -> dict[str, str]:
    """A configuration as a JSON object by option name ({} for the plain item)."""
    return parse_choices(options)


def late_against_request(
    requested: date | None, promised: date | None, *, still_open: bool, today: date
) -> str | None:
    """Words saying an open order misses the date its customer asked for, else None.

    Late when the promised date falls after the requested one, or when the requested day has
    passed and the order has not left (even with no promised date yet).
    """
    if requested is None or not still_open:
        return None
    if promised is not None and promised > requested:
        return "after the requested date"
    if requested < today:
        return "past the requested date"
    return None


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its lines, as `pegboard orders --json` and `GET /api/v1/orders` show it."""

    order_ref: str
    customer: str
    email: str | None
    ordered_at: datetime
    priority: int
    ship_policy: str
    status: str
    ship_to: str | None
    requested_date: date | None
    lines: tuple[OrderLineView, ...]

    @classmethod
    def of(cls, order: SalesOrder) -> OrderView:
        """The read model of an order just written (the answer to a place or a cancel)."""
        return cls(
            order_ref=order.order_ref,
            customer=order.customer,
            email=order.email,
            ordered_at=order.ordered_at,
            priority=order.priority,
            ship_policy=order.ship_policy.value,
            status=order.status.value,
            ship_to=order.ship_to,
            requested_date=order.requested_date,
            lines=tuple(
                OrderLineView(
                    line_no=line.line_no,
                    sku=line.sku,
                    kind=line.kind.value,
                    quantity=line.quantity,
                    allocated=line.allocated_quantity,
                    shipped=line.shipped_quantity,
                    backordered=line.backordered_quantity,
                    preordered=line.preordered_quantity,
                    awaiting_supplier=line.awaiting_supplier_quantity,
                    cancelled=line.cancelled_quantity,
                    unit_price=line.unit_price,
                    backordered_on=line.backordered_on,
                    options=line.options,
                )
                for line in order.lines
            ),
        )

    def to_json(self) -> Json:
        """The order as the orders contract shows it."""
        return {
            "order_ref": self.order_ref,
            "customer": self.customer,
            "email": self.email,
            "ordered_at": self.ordered_at.isoformat(timespec="seconds"),
            "priority": self.priority,
            "ship_policy": self.ship_policy,
            "status": self.status,
            "ship_to": self.ship_to,
            "requested_date": day(self.requested_date),
            "lines": [line.to_json() for line in self.lines],
        }


@dataclass(frozen=True, slots=True)
class OpenLineView:
    """The open rest of an order line: which line, and how much of it waits."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal

    def _line_json(self) -> Json:
        return {
            "order_ref": self.order_ref,
            "line_no": self.line_no,
            "sku": self.sku,
            "quantity": plain_number(self.quantity),
        }


@dataclass(frozen=True, slots=True)
class BackorderView(OpenLineView):
    """An open backorder: what a stock line still owes, since when, and how many days it waits."""

    opened_at: date
    age_days: int
    customer: str
    priority: int

    def to_json(self) -> Json:
        """The backorder as `pegboard backorders --json` shows it."""
        return self._line_json() | {
            "opened_at": day(self.opened_at),
            "age_days": self.age_days,
            "customer": self.customer,
            "priority": self.priority,
        }


@dataclass(frozen=True, slots=True)
class PreorderView(OpenLineView):
    """An open preorder: what the customer chose to wait for, until its release date."""

    release_date: date | None
    released: bool
    ordered_at: date
    customer: str
    priority: int

    def to_json(self) -> Json:
        """The preorder as `pegboard preorders --json` shows it."""
        return self._line_json() | {
            "release_date": day(self.release_date),
            "released": self.released,
            "ordered_at": day(self.ordered_at),
            "customer": self.customer,
            "priority": self.priority,
        }


@dataclass(frozen=True, slots=True)
class SupplyView:
    """One SKU of an open PO (`kind` po) or MO (`kind` mo); a drop-ship PO names its order."""

    ref: str
    kind: str
    sku: str
    quantity: Decimal
    received: Decimal
    expected_date: date | None
    status: str
    supplier: str | None
    dropship: bool
    order_ref: str | None
    #: An open MO's start and finish as its materials allow, and why they are later than its own
    #: (`planning.late_supply`); None on a PO, and on an MO when the plan was not asked.
    feasible_start: date | None = None
    feasible_due: date | None = None
    late_because: str | None = None
    #: The configuration an MO makes ("" = the plain item; always "" on a PO).
    options: str = ""
    #: The day of the plan an open MO's feasible dates come from (today when planned on the read)
    #: and whether planning's inputs changed since; None on a PO and where no dates were asked.
    plan_as_of: date | None = None
    plan_out_of_date: bool | None = None

    def to_json(self) -> Json:
        """The supply row as `pegboard supply --json` shows it."""
        return {
            "ref": self.ref,
            "kind": self.kind,
            "sku": self.sku,
            "quantity": plain_number(self.quantity),
            "received": plain_number(self.received),
            "expected_date": day(self.expected_date),
            "status": self.status,
            "supplier": self.supplier,
            "dropship": self.dropship,
            "order_ref": self.order_ref,
            "feasible_start": day(self.feasible_start),
            "feasible_due": day(self.feasible_due),
            "late_because": self.late_because,
            "options": options_json(self.options),
            "plan_as_of": day(self.plan_as_of),
            "plan_out_of_date": self.plan_out_of_date,
        }


@dataclass(frozen=True, slots=True)
class MovementView:
    """One movement of the stock ledger: a signed quantity with what caused it."""

    date: date
    kind: str
    quantity: Decimal
    reference: str
    reason: str

    def to_json(self) -> Json:
        """The movement as `pegboard stock --json` shows it."""
        return {
            "date": day(self.date),
            "kind": self.kind,
            "quantity": plain_number(self.quantity),
            "reference": self.reference,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class StockFigures:
    """On hand, allocated and available for one SKU, and its newest movements first."""

    sku: str
    on_hand: Decimal
    allocated: Decimal
    available: Decimal
    movements: tuple[MovementView, ...]

    @classmethod
    def of(cls, sku: str, view: StockView) -> StockFigures:
        """The figures of a SKU from its stock levels and ledger movements."""
        return cls(
            sku=sku,
            on_hand=view.stock.on_hand,
            allocated=view.stock.allocated,
            available=view.stock.available,
            movements=tuple(
                MovementView(m.moved_on, m.kind.value, m.quantity, m.reference, m.reason) for m in view.moves
            ),
        )

    def to_json(self) -> Json:
        """The figures as `pegboard stock --json` shows them."""
        return {
            "sku": self.sku,
            "on_hand": plain_number(self.on_hand),
            "allocated": plain_number(self.allocated),
            "available": plain_number(self.available),
            "movements": [m.to_json() for m in self.movements],
        }
