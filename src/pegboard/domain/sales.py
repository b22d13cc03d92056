"""Sales orders and their lines; the backorder is what is owed and not yet allocated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pegboard.domain.errors import InvalidTransition, InvalidValue, NothingToShip, OverReceipt
from pegboard.domain.events import (
    EventLog,
    LineAllocated,
    LineBackordered,
    OrderCancelled,
    OrderPlaced,
    OrderShipped,
)
from pegboard.domain.quantities import ZERO, Money, Quantity
from pegboard.domain.transitions import moved


class ShipPolicy(StrEnum):
    """Whether an order ships what it can now, or waits until it is whole."""

    PARTIAL = "partial"
    COMPLETE = "complete"


class LineKind(StrEnum):
    """How a line is served: from our stock, as a preorder awaiting release, or drop-shipped."""

    STOCK = "stock"
    PREORDER = "preorder"
    DROPSHIP = "dropship"


class OrderStatus(StrEnum):
    """Where an order stands; worked out from its lines."""

    OPEN = "open"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


#: Where an order may go from each status (its status is worked out from its lines).
ORDER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.OPEN: frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    # Cancelling the rest of a partly shipped order leaves it shipped: what left is all it was.
    OrderStatus.PARTIALLY_SHIPPED: frozenset({OrderStatus.SHIPPED}),
    # The shop added lines to a shipped order and an operator took them (Shopify `retry`).
    OrderStatus.SHIPPED: frozenset({OrderStatus.PARTIALLY_SHIPPED}),
    OrderStatus.CANCELLED: frozenset(),
}


class Reserves(Protocol):
    """Stock that reserves what it can of a quantity (an item's `ItemStock`)."""

    def reserve(self, quantity: Decimal) -> Decimal: ...


class KindsOfLine(Protocol):
    """An item's sale terms: how a line of it is served, ordered on a day."""

    def line_kind(self, on: date) -> LineKind: ...


@dataclass
class SalesOrderLine:
    """One SKU and quantity of an order: ordered = shipped + allocated + open + cancelled.

    The open quantity is a backorder on a stock line, a preorder on a preorder line (the
    customer chose to wait for the release), and with the supplier on a drop-ship line.
    """

    line_no: int
    sku: str
    quantity: Quantity
    unit_price: Money | None = None
    allocated_quantity: Decimal = ZERO
    shipped_quantity: Decimal = ZERO
    cancelled_quantity: Decimal = ZERO
    backordered_on: date | None = None
    kind: LineKind = LineKind.STOCK
    #: The line's configuration (`COLOUR=green;HILT=engraved`, `domain.options`); "" = plain.
    #: A configured line is made to order: it takes only what an MO of its configuration makes.
    options: str = ""

    @property
    def open_quantity(self) -> Decimal:
        """What is still owed and neither covered by stock on hand nor shipped nor cancelled."""
        return self.quantity - self.allocated_quantity - self.shipped_quantity - self.cancelled_quantity

    @property
    def backordered_quantity(self) -> Decimal:
        """The open quantity of a stock line: owed and waiting for stock (not a preorder or drop-ship)."""
        return self.open_quantity if self.kind is LineKind.STOCK else ZERO

    @property
    def preordered_quantity(self) -> Decimal:
        """The open quantity of a preorder line."""
        return self.open_quantity if self.kind is LineKind.PREORDER else ZERO

    @property
    def awaiting_supplier_quantity(self) -> Decimal:
        """The open quantity of a drop-ship line: the supplier has yet to ship it."""
        return self.open_quantity if self.kind is LineKind.DROPSHIP else ZERO

    @property
    def is_whole(self) -> bool:
        """Nothing of the line is still open."""
        return self.open_quantity == 0

    def allocate(self, quantity: Decimal) -> None:
        """Reserve on-hand stock for the line; never more than is open, never to a drop-ship line."""
        if self.kind is LineKind.DROPSHIP and quantity:
            raise ValueError(f"line {self.line_no} is drop-shipped; it takes no stock")
        if quantity < 0 or quantity > self.open_quantity:
            raise ValueError(f"cannot allocate {quantity} to an open quantity of {self.open_quantity}")
        self.allocated_quantity += quantity
        if self.open_quantity == 0:
            self.backordered_on = None

    def deallocate(self, quantity: Decimal, *, on: date) -> None:
        """Give reserved stock back; a stock line goes (back) on backorder from `on`."""
        if quantity < 0 or quantity > self.allocated_quantity:
            raise ValueError(f"cannot release {quantity} of {self.allocated_quantity} allocated")
        self.allocated_quantity -= quantity
        if quantity and self.backordered_on is None and self.kind is LineKind.STOCK:
            self.backordered_on = on

    def cancel_part(self, quantity: Decimal) -> Decimal:
        """Cancel part of the line, what waits first, then what is allocated; returns the stock released."""
        released = quantity - min(quantity, self.open_quantity)
        self.allocated_quantity -= released
        self.cancelled_quantity += quantity
        if self.open_quantity == 0:
            self.backordered_on = None
        return released

    def cancel_remainder(self) -> Decimal:
        """Cancel what has not shipped; returns the allocated quantity it released."""
        released = self.allocated_quantity
        self.cancelled_quantity += self.allocated_quantity + self.open_quantity
        self.allocated_quantity = ZERO
        self.backordered_on = None
        return released


@dataclass(frozen=True)
class ShipmentLine:
    line_no: int
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Shipment:
    """What physically left for one order at one time."""

    shipment_ref: str
    order_ref: str
    shipped_on: date
    tracking: str | None
    lines: tuple[ShipmentLine, ...]


@dataclass
class SalesOrder:
    """What a customer ordered, with its ship policy and priority."""

    order_ref: str
    customer: str
    ordered_at: datetime
    lines: list[SalesOrderLine]
    email: str | None = None
    priority: int = 0
    ship_policy: ShipPolicy = ShipPolicy.PARTIAL
    status: OrderStatus = OrderStatus.OPEN
    #: The customer's delivery address; a drop-ship PO passes it to the supplier.
    ship_to: str | None = None
    #: Where the order came from: pegboard (CLI, CSV, REST) or shopify.
    source: str = "pegboard"
    #: The shop's payment state, e.g. paid: a paid order's unshipped value is a deposit.
    financial_status: str | None = None
    #: The day the customer asked to receive the order; a later promise is late against it.
    requested_date: date | None = None
    version: int = 0
    #: What happened to the order and is not yet in the outbox; the unit of work writes it at commit.
    events: EventLog = field(default_factory=EventLog, repr=False, compare=False)

    def worked_out_status(self) -> OrderStatus:
        """Cancelled when nothing is or will be shipped; shipped when nothing more will ship."""
        shipped = sum((line.shipped_quantity for line in self.lines), ZERO)
        still_owed = sum((line.allocated_quantity + line.open_quantity for line in self.lines), ZERO)
        if still_owed == 0:
            return OrderStatus.SHIPPED if shipped > 0 else OrderStatus.CANCELLED
        return OrderStatus.PARTIALLY_SHIPPED if shipped > 0 else OrderStatus.OPEN

    def refresh_status(self) -> None:
        """Bring the stored status in line with the quantities, as `ORDER_TRANSITIONS` allows."""
        self.status = moved(
            ORDER_TRANSITIONS, f"order {self.order_ref}", self.status, self.worked_out_status()
        )

    def open(
        self,
        stocks: Mapping[str, Reserves],
        terms: Mapping[str, KindsOfLine],
        configured: Mapping[tuple[str, str], Reserves] | None = None,
    ) -> None:
        """Take a new order: each stock line reserves what is available, the rest goes on backorder
        from the order date. A configured line (made to order) takes only stock kept for its very
        configuration (`configured`, by SKU and options), never plain stock. Preorder and drop-ship
        lines take no stock, even when some is available.
        """
        self.events.record(OrderPlaced(self.order_ref, self.customer, self.email))
        opened_on = self.ordered_at.date()
        for line in self.lines:
            line.kind = terms[line.sku].line_kind(opened_on)
            if line.kind is not LineKind.STOCK:
                continue
            if not line.options:
                line.allocate(stocks[line.sku].reserve(line.quantity))
            elif configured and (line.sku, line.options) in configured:
                line.allocate(configured[line.sku, line.options].reserve(line.quantity))
            if line.backordered_quantity > 0:
                line.backordered_on = opened_on
                self.events.record(
                    LineBackordered(
                        self.order_ref, line.line_no, line.sku, line.backordered_quantity, opened_on
                    )
                )

    def add_lines(
        self,
        added: Mapping[str, Decimal],
        *,
        prices: Mapping[str, Money | None],
        stocks: Mapping[str, Reserves],
        terms: Mapping[str, KindsOfLine],
        on: date,
    ) -> list[SalesOrderLine]:
        """Add these quantities per SKU as new lines, served like a new order's from `on`; returns them.

        Each new line records what it took from stock (`LineAllocated`) and what waits (`LineBackordered`).
        """
        if self.status is OrderStatus.CANCELLED:
            raise InvalidTransition(f"order {self.order_ref} is cancelled; no lines can be added")
        start = max((line.line_no for line in self.lines), default=0)
        new: list[SalesOrderLine] = []
        for n, (sku, quantity) in enumerate(sorted(added.items()), start=start + 1):
            line = SalesOrderLine(n, sku, Quantity(quantity), prices.get(sku), kind=terms[sku].line_kind(on))
            if line.kind is LineKind.STOCK:
                line.allocate(stocks[sku].reserve(line.quantity))
                if line.allocated_quantity > 0:
                    self.events.record(LineAllocated(self.order_ref, n, sku, line.allocated_quantity))
                if line.backordered_quantity > 0:
                    line.backordered_on = on
                    self.events.record(LineBackordered(self.order_ref, n, sku, line.backordered_quantity, on))
            new.append(line)
        self.lines.extend(new)
        self.refresh_status()
        return new

    def allocate_line(
        self, line_no: int, stock: Reserves, quantity: Decimal, *, reason: str = ""
    ) -> LineAllocated:
        """A waiting line takes `quantity` of newly available stock; records `LineAllocated`, with
        why the line got it when the allocation policy had a choice to explain (`reason`)."""
        line = self._numbered(line_no)
        line.allocate(stock.reserve(quantity))
        event = LineAllocated(self.order_ref, line_no, line.sku, quantity, reason)
        self.events.record(event)
        return event

    def take_back(self, line_no: int, quantity: Decimal, *, on: date) -> LineBackordered | None:
        """Reserved stock goes back from a line, which waits for it again from `on`; a stock line
        records `LineBackordered` (returned), a preorder line nothing."""
        line = self._numbered(line_no)
        line.deallocate(quantity, on=on)
        if line.kind is not LineKind.STOCK:
            return None
        event = LineBackordered(self.order_ref, line_no, line.sku, quantity, on)
        self.events.record(event)
        return event

    def _numbered(self, line_no: int) -> SalesOrderLine:
        return next(line for line in self.lines if line.line_no == line_no)

    def cancel_quantities(
        self, cancel: Mapping[str, Decimal], *, in_shop: bool = False
    ) -> dict[str, Decimal]:
        """Cancel these quantities per SKU, newest line first, what waits before what is allocated.

        Returns the allocation released per SKU; records one `OrderCancelled` per SKU (`in_shop`
        when the shop reduced the order).
        """
        freed: dict[str, Decimal] = {}
        for sku, amount in sorted(cancel.items()):
            cancelled: list[dict[str, Any]] = []
            for line in reversed(self.line(sku)):
                take = min(amount, line.open_quantity + line.allocated_quantity)
                if take <= 0:
                    continue
                freed[sku] = freed.get(sku, ZERO) + line.cancel_part(take)
                cancelled.append({"line_no": line.line_no, "sku": sku, "quantity": str(take)})
                amount -= take
            self.events.record(OrderCancelled(self.order_ref, sku, cancelled, in_shop=in_shop))
        self.refresh_status()
        return freed

    @property
    def is_closed(self) -> bool:
        """A shipped or cancelled order takes no more steps."""
        return self.status in (OrderStatus.SHIPPED, OrderStatus.CANCELLED)

    def line(self, sku: str) -> list[SalesOrderLine]:
        """The order's lines for a SKU."""
        return [line for line in self.lines if line.sku == sku]

    def shippable(self) -> list[tuple[SalesOrderLine, Decimal]]:
        """Allocated quantity that may leave: any for `partial`; all or nothing for `complete`.

        Drop-ship lines leave from the supplier, so `complete` waits only for the other lines.
        """
        if self.ship_policy is ShipPolicy.COMPLETE and any(
            line.open_quantity > 0 for line in self.lines if line.kind is not LineKind.DROPSHIP
        ):
            return []
        return [(line, line.allocated_quantity) for line in self.lines if line.allocated_quantity > 0]

    def ship(self, *, shipment_ref: str, on: date, tracking: str | None = None) -> Shipment:
        """Ship what the policy lets leave; refuses when that is nothing."""
        if self.is_closed:
            raise InvalidTransition(f"order {self.order_ref} is {self.status}; nothing can ship")
        leaving = self.shippable()
        if not leaving:
            reason = (
                "its ship policy is complete and not every line is allocated"
                if self.ship_policy is ShipPolicy.COMPLETE
                and any(line.allocated_quantity > 0 for line in self.lines)
                else "nothing is allocated to it"
            )
            raise NothingToShip(f"order {self.order_ref} cannot ship: {reason}")
        for line, quantity in leaving:
            line.allocated_quantity -= quantity
            line.shipped_quantity += quantity
        return self._shipped(leaving, shipment_ref=shipment_ref, on=on, tracking=tracking)

    def confirm_dispatch(
        self, shipped: Mapping[int, Decimal], *, shipment_ref: str, on: date, tracking: str | None = None
    ) -> Shipment:
        """The supplier shipped these quantities (by line number) of drop-ship lines to the customer."""
        if self.is_closed:
            raise InvalidTransition(f"order {self.order_ref} is {self.status}; nothing can ship")
        by_no = {line.line_no: line for line in self.lines}
        leaving = []
        for line_no, quantity in sorted(shipped.items()):
            line = by_no.get(line_no)
            if line is None or line.kind is not LineKind.DROPSHIP:
                raise InvalidTransition(f"order {self.order_ref} has no drop-ship line {line_no}")
            if not 0 < quantity <= line.open_quantity:
                raise OverReceipt(
                    f"order {self.order_ref} line {line_no}: {quantity} {line.sku} shipped by the "
                    f"supplier but only {line.open_quantity} is open"
                )
            leaving.append((line, quantity))
        if not leaving:
            raise NothingToShip(f"order {self.order_ref}: the supplier shipped nothing")
        for line, quantity in leaving:
            line.shipped_quantity += quantity
        return self._shipped(leaving, shipment_ref=shipment_ref, on=on, tracking=tracking)

    def _shipped(
        self,
        leaving: Sequence[tuple[SalesOrderLine, Decimal]],
        *,
        shipment_ref: str,
        on: date,
        tracking: str | None,
    ) -> Shipment:
        """The shipment of what just left, recorded as `OrderShipped`; the status follows the lines."""
        self.refresh_status()
        shipment = Shipment(
            shipment_ref=shipment_ref,
            order_ref=self.order_ref,
            shipped_on=on,
            tracking=tracking,
            lines=tuple(ShipmentLine(line.line_no, line.sku, q) for line, q in leaving),
        )
        self.events.record(shipped_event(shipment))
        return shipment

    def cancel(self, sku: str | None = None) -> dict[str, Decimal]:
        """Cancel the whole order, or one SKU's remainder; returns the allocation released per SKU."""
        if sku is not None and not self.line(sku):
            raise InvalidValue("sku", sku, f"is not on order {self.order_ref}")
        if self.is_closed:
            raise InvalidTransition(f"order {self.order_ref} is {self.status}; nothing to cancel")
        lines = self.lines if sku is None else self.line(sku)
        open_lines = [line for line in lines if line.allocated_quantity + line.open_quantity]
        if not open_lines:
            raise InvalidTransition(f"order {self.order_ref} has nothing open for {sku}")
        released: dict[str, Decimal] = {}
        cancelled: list[dict[str, Any]] = []
        for line in open_lines:
            before = line.cancelled_quantity
            released[line.sku] = released.get(line.sku, ZERO) + line.cancel_remainder()
            cancelled.append(
                {"line_no": line.line_no, "sku": line.sku, "quantity": str(line.cancelled_quantity - before)}
            )
        self.refresh_status()
        self.events.record(OrderCancelled(self.order_ref, sku, cancelled))
        return released

    def content_key(self) -> tuple[object, ...]:
        """What makes two submissions of the same order ref the same order."""
        return (
            self.customer,
            self.email or None,
            self.priority,
            self.ship_policy,
            self.ship_to or None,
            self.requested_date,
            tuple((line.sku, line.quantity, line.unit_price, line.options) for line in self.lines),
        )


def shipped_event(shipment: Shipment) -> OrderShipped:
    """The event every shipment announces, from the warehouse or from a drop-ship supplier."""
    return OrderShipped(
        shipment.order_ref,
        shipment.shipment_ref,
        shipment.tracking,
        [{"line_no": s.line_no, "sku": s.sku, "quantity": str(s.quantity)} for s in shipment.lines],
    )
