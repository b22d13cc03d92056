"""Customer notices: what a customer is told about an order, and when a new date is worth telling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pegboard.domain.sales import LineKind

#: Payment states of a shop order that make a cancellation a refund.
PAID_STATES = frozenset({"paid", "partially_paid"})


class NoticeKind(StrEnum):
    """The messages a customer gets about an order."""

    CONFIRMATION = "confirmation"
    NEW_DATE = "new_date"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Section(StrEnum):
    """Where a line appears in a message."""

    SHIPS_NOW = "ships_now"
    WAITING = "waiting"
    PREORDER = "preorder"
    CHANGED = "changed"
    SHIPPED = "shipped"
    STILL_TO_COME = "still_to_come"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class LineState:
    """One order line as notices see it: quantities, its stored promise and what the customer was told.

    `promised` says whether a promise is stored at all (a stored open term has no date);
    `told_on` is when the customer was last told about the line (None: never), `told_date`
    the date then given (None with `told_on` set: told that a date will follow).
    """

    line_no: int
    sku: str
    name: str
    kind: LineKind
    quantity: Decimal
    allocated: Decimal
    shipped: Decimal
    cancelled: Decimal
    unit_price: Decimal | None = None
    promised: bool = False
    promised_date: date | None = None
    told_on: date | None = None
    told_date: date | None = None
    release_date: date | None = None

    @property
    def waiting(self) -> Decimal:
        """What is still owed and not yet covered by stock on hand (the backorder)."""
        return self.quantity - self.allocated - self.shipped - self.cancelled


@dataclass(frozen=True)
class OrderState:
    """An order with its lines, and what has already been sent about it."""

    order_ref: str
    customer: str
    email: str | None
    financial_status: str | None
    lines: tuple[LineState, ...]
    #: The order ships in one go, when every line is allocated (ship policy `complete`).
    ships_whole: bool = False
    #: A confirmation went out (or was skipped for want of an address).
    confirmed: bool = False
    #: The last day a new-date message went out for the order.
    last_new_date_on: date | None = None

    def line(self, line_no: int) -> LineState | None:
        """The line with this number, if the order has it."""
        return next((line for line in self.lines if line.line_no == line_no), None)


def later_than_told(line: LineState, *, confirmed: bool) -> bool:
    """A waiting line's promise is worth a new-date message when it moved past what the customer was told.

    Later than the date told, a date at last where a date was to follow, or no date any more
    where one was given; an earlier date is not announced. A line the customer never heard of
    counts as "date to follow" once the order's confirmation went out, and waits for the
    confirmation (which gives its date) before that.
    """
    if line.waiting <= 0 or not line.promised:
        return False
    if line.told_on is None and not confirmed:
        return False
    if line.told_date is None:
        return line.promised_date is not None
    return line.promised_date is None or line.promised_date > line.told_date


def is_refund(financial_status: str | None) -> bool:
    """A cancellation of a paid (or partly paid) order gives money back."""
    return (financial_status or "").strip().lower() in PAID_STATES


def usable_address(email: str | None) -> str | None:
    """The order's address when mail can go to it: one line, a local part and a domain."""
    address = (email or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c in address for c in "\r\n \t<>,;"):
        return None
    return address


@dataclass(frozen=True)
class MessageLine:
    """A line as a message shows it: what, how many, and when it ships (None: a date will follow)."""

    section: Section
    sku: str
    name: str
    quantity: Decimal
    ship_date: date | None = None
    #: For a new date: the date the customer was told before (None: a date was to follow).
    previous_date: date | None = None
    #: Allocated and ready, waiting only for the next shipment.
    ready: bool = False
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class Refund:
    """Money going back for cancelled lines: the amount when every price is known."""

    amount: Decimal | None
    partly_paid: bool


@dataclass(frozen=True)
class CustomerMessage:
    """One message to one customer about one order, ready to be rendered and sent."""

    kind: NoticeKind
    order_ref: str
    customer: str
    #: None when the order has no usable address: the message is recorded as skipped.
    recipient: str | None
    subject: str
    lines: tuple[MessageLine, ...]
    event_id: str | None = None
    tracking: str | None = None
    refund: Refund | None = None
    #: After a cancellation: part of the order is still open.
    still_open: bool = False
    #: The order ships in one go (ship policy `complete`): what is in stock waits for the rest.
    ships_whole: bool = False
    #: The token of the order-status link issued for this message.
    status_token: str | None = None

    def section(self, section: Section | str) -> list[MessageLine]:
        """The message's lines in one section, in order."""
        return [line for line in self.lines if line.section == section]
