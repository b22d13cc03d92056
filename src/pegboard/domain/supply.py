"""Supply orders: purchase orders from suppliers and manufacturing orders in the workshop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pegboard.domain.errors import InvalidTransition, InvalidValue, OverReceipt
from pegboard.domain.events import EventLog, ExpectedDateChanged, ManufacturingCompleted, StockReceived
from pegboard.domain.items import BomLine
from pegboard.domain.quantities import ZERO, Money, Quantity, component_need
from pegboard.domain.transitions import moved


class SupplyStatus(StrEnum):
    """Where a supply order stands; worked out from what came in."""

    OPEN = "open"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    PARTIALLY_COMPLETED = "partially_completed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: Where a purchase order may go from each status: receipts move it on; a drop-ship PO whose
#: sales order is cancelled before anything shipped is cancelled; received and cancelled are final.
PURCHASE_ORDER_TRANSITIONS: Mapping[SupplyStatus, frozenset[SupplyStatus]] = {
    SupplyStatus.OPEN: frozenset(
        {SupplyStatus.PARTIALLY_RECEIVED, SupplyStatus.RECEIVED, SupplyStatus.CANCELLED}
    ),
    # The rest of a partly received drop-ship PO cancelled: what came in is all it was.
    SupplyStatus.PARTIALLY_RECEIVED: frozenset({SupplyStatus.RECEIVED}),
    SupplyStatus.RECEIVED: frozenset(),
    SupplyStatus.CANCELLED: frozenset(),
}

#: Where a manufacturing order may go from each status: completions move it on; completed is final.
MANUFACTURING_ORDER_TRANSITIONS: Mapping[SupplyStatus, frozenset[SupplyStatus]] = {
    SupplyStatus.OPEN: frozenset({SupplyStatus.PARTIALLY_COMPLETED, SupplyStatus.COMPLETED}),
    SupplyStatus.PARTIALLY_COMPLETED: frozenset({SupplyStatus.COMPLETED}),
    SupplyStatus.COMPLETED: frozenset(),
    SupplyStatus.CANCELLED: frozenset(),
}


@dataclass
class PurchaseOrderLine:
    """One SKU on a purchase order, with what has arrived so far."""

    sku: str
    quantity: Quantity
    expected_date: date | None
    unit_cost: Money | None = None
    received_quantity: Decimal = ZERO
    #: On a drop-ship PO: the line of the sales order this line ships to the customer.
    order_line_no: int | None = None

    @property
    def open_quantity(self) -> Decimal:
        """Still expected from the supplier."""
        return self.quantity - self.received_quantity


@dataclass
class PurchaseOrder:
    """An order to a supplier; it may arrive in several parts.

    A drop-ship PO serves one sales order (`order_ref`): the supplier ships straight to the
    customer's address (`ship_to`), and its receipts are the supplier's dispatch confirmations.
    """

    po_ref: str
    supplier: str
    lines: list[PurchaseOrderLine]
    status: SupplyStatus = SupplyStatus.OPEN
    order_ref: str | None = None
    ship_to: str | None = None
    #: What happened to the PO and is not yet in the outbox; the unit of work writes it at commit.
    events: EventLog = field(default_factory=EventLog, repr=False, compare=False)

    @property
    def is_dropship(self) -> bool:
        """The supplier ships this PO to a customer, not to our warehouse."""
        return self.order_ref is not None

    def receive(self, sku: str, quantity: Decimal) -> PurchaseOrderLine:
        """Book a (partial) receipt; more than is still expected is refused.

        Into our warehouse it is `StockReceived`; on a drop-ship PO it is the supplier's
        confirmation of dispatch, which the sales order records as its shipment.
        """
        if self.status is SupplyStatus.CANCELLED:
            raise InvalidTransition(f"purchase order {self.po_ref} is cancelled")
        lines = [line for line in self.lines if line.sku == sku]
        if not lines:
            raise InvalidValue("sku", sku, f"is not on purchase order {self.po_ref}")
        open_total = sum((line.open_quantity for line in lines), ZERO)
        if quantity > open_total:
            raise OverReceipt(
                f"{self.po_ref}: receiving {quantity} {sku} but only {open_total} is still expected"
            )
        left = quantity
        for line in lines:
            taken = min(left, line.open_quantity)
            line.received_quantity += taken
            left -= taken
        self.refresh_status()
        if not self.is_dropship:
            self.events.record(StockReceived(self.po_ref, sku, quantity))
        return lines[0]

    def cancel_open(self, order_line_no: int, quantity: Decimal | None = None) -> Decimal:
        """Cancel up to `quantity` (None: all) of what is still expected for one line of the
        drop-ship PO's sales order; what the supplier already shipped stays. Returns the quantity cancelled.
        """
        cancelled: Decimal = ZERO
        for line in self.lines:
            if line.order_line_no != order_line_no or line.open_quantity <= 0:
                continue
            left = line.open_quantity if quantity is None else min(line.open_quantity, quantity - cancelled)
            if left <= 0:
                break
            cancelled += left
            line.quantity = Quantity(line.quantity - left)
        if cancelled:
            self.refresh_status()
        return cancelled

    def refresh_status(self) -> None:
        """Open, partially received, received in full, or cancelled when nothing is left to order."""
        received = sum((line.received_quantity for line in self.lines), ZERO)
        if all(line.quantity == 0 for line in self.lines):
            status = SupplyStatus.CANCELLED
        elif all(line.open_quantity == 0 for line in self.lines):
            status = SupplyStatus.RECEIVED
        elif received > 0:
            status = SupplyStatus.PARTIALLY_RECEIVED
        else:
            status = SupplyStatus.OPEN
        document = f"purchase order {self.po_ref}"
        self.status = moved(PURCHASE_ORDER_TRANSITIONS, document, self.status, status)

    def reschedule(self, new_date: date) -> date | None:
        """Move the expected date of every open line; returns the earliest old date (recorded,
        with the new one, as `ExpectedDateChanged`)."""
        if self.status in (SupplyStatus.RECEIVED, SupplyStatus.CANCELLED):
            raise InvalidTransition(f"purchase order {self.po_ref} is {self.status}")
        old = [line.expected_date for line in self.lines if line.open_quantity > 0]
        for line in self.lines:
            if line.open_quantity > 0:
                line.expected_date = new_date
        dated = [d for d in old if d is not None]
        earliest = min(dated) if dated else None
        self.events.record(ExpectedDateChanged(self.po_ref, earliest, new_date))
        return earliest


@dataclass
class ManufacturingOrder:
    """An order to make an item from its BOM; it may finish in several parts."""

    mo_ref: str
    sku: str
    quantity: Quantity
    start_date: date
    finish_date: date
    completed_quantity: Decimal = ZERO
    status: SupplyStatus = SupplyStatus.OPEN
    #: The configuration it makes (`COLOUR=green;HILT=engraved`, `domain.options`); "" = plain.
    options: str = ""
    #: What happened to the MO and is not yet in the outbox; the unit of work writes it at commit.
    events: EventLog = field(default_factory=EventLog, repr=False, compare=False)
    #: Its direct components on hand reserved for it, by SKU (counted as allocated stock).
    reserved: dict[str, Decimal] = field(default_factory=dict, compare=False)
    #: When it was confirmed: it waits for components like an order placed at that moment.
    confirmed_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def planned(
        cls,
        *,
        mo_ref: str,
        sku: str,
        quantity: Quantity,
        start: date,
        lead_time_days: int,
        options: str = "",
    ) -> ManufacturingOrder:
        """An MO starting on `start` and finishing after the item's production lead time."""
        return cls(mo_ref, sku, quantity, start, start + timedelta(days=lead_time_days), options=options)

    @property
    def open_quantity(self) -> Decimal:
        """Still to be made."""
        return self.quantity - self.completed_quantity

    def material_needs(self, components: Iterable[BomLine]) -> dict[str, Decimal]:
        """What its open quantity still takes of each direct component beyond what is reserved for
        it; only components still needed."""
        needs: dict[str, Decimal] = {}
        for line in components:
            need = component_need(line.quantity_per, self.open_quantity) - self.reserved.get(
                line.component_sku, ZERO
            )
            if need > 0:
                needs[line.component_sku] = needs.get(line.component_sku, ZERO) + need
        return needs

    def reserve(self, sku: str, quantity: Decimal) -> None:
        """Note `quantity` more of component `sku` reserved for it."""
        self.reserved[sku] = self.reserved.get(sku, ZERO) + quantity

    def use_reserved(
        self, amount: Decimal, components: Iterable[BomLine]
    ) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        """Completing `amount` (call before `complete`) consumes its reservation first: returns
        what of each component's reservation it uses, and what it lets go because nothing is left
        to make once `amount` is done (a BOM changed since it was reserved); both leave `reserved`."""
        used: dict[str, Decimal] = {}
        for line in components:
            have = self.reserved.get(line.component_sku, ZERO)
            taken = min(have, component_need(line.quantity_per, amount))
            if taken > 0:
                used[line.component_sku] = taken
                self.reserved[line.component_sku] = have - taken
        freed = {sku: q for sku, q in self.reserved.items() if q > 0} if amount >= self.open_quantity else {}
        for sku in freed:
            self.reserved[sku] = ZERO
        self.reserved = {sku: q for sku, q in self.reserved.items() if q > 0}
        return used, freed

    def complete(self, quantity: Decimal) -> None:
        """Finish all or part of what is still to be made (recorded as `ManufacturingCompleted`)."""
        if self.status in (SupplyStatus.COMPLETED, SupplyStatus.CANCELLED):
            raise InvalidTransition(f"manufacturing order {self.mo_ref} is {self.status}")
        if quantity > self.open_quantity:
            raise OverReceipt(
                f"{self.mo_ref}: completing {quantity} but only {self.open_quantity} is still to make"
            )
        self.completed_quantity += quantity
        status = SupplyStatus.COMPLETED if self.open_quantity == 0 else SupplyStatus.PARTIALLY_COMPLETED
        document = f"manufacturing order {self.mo_ref}"
        self.status = moved(MANUFACTURING_ORDER_TRANSITIONS, document, self.status, status)
        self.events.record(ManufacturingCompleted(self.mo_ref, self.sku, quantity))

    def reschedule(self, new_finish: date) -> date:
        """Move the finish date; the start moves with it, keeping the production time. Returns the
        old finish date (recorded, with the new one, as `ExpectedDateChanged`)."""
        if self.status in (SupplyStatus.COMPLETED, SupplyStatus.CANCELLED):
            raise InvalidTransition(f"manufacturing order {self.mo_ref} is {self.status}")
        old = self.finish_date
        self.start_date += new_finish - old
        self.finish_date = new_finish
        self.events.record(ExpectedDateChanged(self.mo_ref, old, new_finish))
        return old
