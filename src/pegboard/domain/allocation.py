"""Allocation: reserving on-hand stock for order lines and confirmed MOs, and which waiting line
(or MO waiting for a component) goes first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pegboard.domain.errors import NegativeStock
from pegboard.domain.events import EventLog, StockAdjusted
from pegboard.domain.quantities import ZERO


class AllocationPolicy(StrEnum):
    """Which waiting line gets newly available stock."""

    FIFO = "fifo"
    PRIORITY = "priority"
    COMPLETE_FIRST = "complete-first"


@dataclass
class ItemStock:
    """One SKU's stock: on hand (from the ledger) and how much of it is reserved."""

    sku: str
    on_hand: Decimal
    allocated: Decimal
    #: What happened to the stock and is not yet in the outbox; the unit of work writes it at commit.
    events: EventLog = field(default_factory=EventLog, repr=False, compare=False)

    @property
    def available(self) -> Decimal:
        """On hand that no order line has reserved."""
        return self.on_hand - self.allocated

    def reserve(self, wanted: Decimal) -> Decimal:
        """Reserve up to `wanted` from what is available; returns what was reserved."""
        granted = max(min(wanted, self.available), ZERO)
        self.allocated += granted
        return granted

    def release(self, quantity: Decimal) -> None:
        """Return reserved stock to available."""
        self.allocated -= quantity

    def move(self, quantity: Decimal) -> None:
        """Apply a ledger movement; on hand never goes below zero."""
        if self.on_hand + quantity < 0:
            raise NegativeStock(f"{self.sku}: on hand {self.on_hand} cannot go down by {-quantity}")
        self.on_hand += quantity

    def count(self, counted: Decimal, *, reason: str) -> Decimal:
        """Set on hand to what was counted; returns the difference (the adjustment to write),
        recorded as `StockAdjusted` when it is not zero."""
        difference = counted - self.on_hand
        if difference != 0:
            self.move(difference)
            self.events.record(StockAdjusted(self.sku, difference, reason))
        return difference


@dataclass
class ConfiguredStock:
    """Units of one configuration of an item in stock that no line holds (`domain.options`).

    A configured MO's output that its lines did not take, or a configured line's allocation
    given back, stays of its configuration: only a line of the very same configuration (same
    SKU, same canonical choices) may reserve it. The units are part of the item's on hand and
    are counted as reserved in its `ItemStock`, so no plain line and no other configuration
    can take them.
    """

    sku: str
    options: str
    quantity: Decimal

    def reserve(self, wanted: Decimal) -> Decimal:
        """Give up to `wanted` of it to a line of this configuration; returns what was given."""
        granted = max(min(wanted, self.quantity), ZERO)
        self.quantity -= granted
        return granted


@dataclass(frozen=True)
class WaitingLine:
    """A line with a backorder, as the allocation policies see it; or a confirmed MO that still
    needs a component (`manufacturing`): then `order_ref` is the MO's ref, `line_no` 0,
    `backordered_quantity` what it needs beyond its reservation, `ordered_at` when it was
    confirmed and `priority` 0, so it waits like an order placed at that moment."""

    order_ref: str
    line_no: int
    sku: str
    backordered_quantity: Decimal
    priority: int
    ordered_at: datetime
    sequence: int
    manufacturing: bool = False

    def fifo_key(self) -> tuple[datetime, bool, int, int]:
        return (self.ordered_at, self.manufacturing, self.sequence, self.line_no)

    def priority_key(self) -> tuple[int, datetime, bool, int, int]:
        return (-self.priority, self.ordered_at, self.manufacturing, self.sequence, self.line_no)


@dataclass(frozen=True)
class Grant:
    """Stock handed to a waiting line (or reserved for a waiting MO: `manufacturing`)."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    manufacturing: bool = False


def ranked(waiting: Iterable[WaitingLine], policy: AllocationPolicy) -> list[WaitingLine]:
    """Priority policy: higher priority first, then oldest; otherwise oldest first. A waiting MO
    ranks as an order of priority 0 placed when the MO was confirmed (after the orders placed at
    that very moment)."""
    if policy is AllocationPolicy.PRIORITY:
        return sorted(waiting, key=WaitingLine.priority_key)
    return sorted(waiting, key=WaitingLine.fifo_key)


def distribute(
    available: Mapping[str, Decimal],
    waiting: Sequence[WaitingLine],
    *,
    policy: AllocationPolicy,
    whole_first: Sequence[str] = (),
) -> list[Grant]:
    """Hand available stock to waiting lines in policy order.

    `whole_first` (the orders an optimiser chose to make whole, for `complete-first`) are served
    first; what is left then goes oldest first, to lines and waiting MOs alike.
    """
    left = {sku: max(quantity, ZERO) for sku, quantity in available.items()}
    chosen = set(whole_first)
    order = ranked(waiting, policy)
    if chosen:
        first = [w for w in order if w.order_ref in chosen and not w.manufacturing]
        order = first + [w for w in order if w.order_ref not in chosen or w.manufacturing]
    grants: list[Grant] = []
    for line in order:
        quantity = min(left.get(line.sku, ZERO), line.backordered_quantity)
        if quantity > 0:
            left[line.sku] -= quantity
            grants.append(Grant(line.order_ref, line.line_no, line.sku, quantity, line.manufacturing))
    return grants
