"""Domain events: past-tense facts written to the outbox with the change that caused them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """Something that happened; subclasses name it in the past tense."""

    def payload(self) -> dict[str, Any]:
        """The event as JSON-ready data: decimals and dates as text."""
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}

    @property
    def name(self) -> str:
        """The event's type name, e.g. LineBackordered."""
        return type(self).__name__


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    """An event class's field names, looked up once (a morning's plan writes 600k events)."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


#: One sequence for every event recorded in this process: the outbox writes a transaction's
#: events in the order they were recorded, whichever aggregate recorded them.
_recorded = count()


def next_recorded() -> int:
    """The next number of that sequence: events noted together (a plan's moved dates) take one."""
    return next(_recorded)


class EventLog(list[tuple[int, Event]]):
    """Events an aggregate (or a use case) recorded and the outbox has not yet taken, in order."""

    def record(self, *events: Event) -> None:
        """Note these events as happening now, after every event recorded before."""
        self.extend((next(_recorded), event) for event in events)

    def take(self) -> list[tuple[int, Event]]:
        """Hand the recorded events over (to the outbox) and forget them."""
        taken = list(self)
        self.clear()
        return taken


class RecordsEvents(Protocol):
    """An aggregate that records what happens to it (sales, purchase and manufacturing orders,
    an item's stock); the unit of work writes what its touched aggregates recorded at commit."""

    @property
    def events(self) -> EventLog: ...


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class OrderPlaced(Event):
    order_ref: str
    customer: str
    email: str | None


@dataclass(frozen=True)
class LineAllocated(Event):
    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    #: Why this line got the stock, when the policy had a choice to explain (complete-first).
    reason: str = ""


@dataclass(frozen=True)
class LineBackordered(Event):
    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    opened_on: date


@dataclass(frozen=True)
class OrderShipped(Event):
    order_ref: str
    shipment_ref: str
    tracking: str | None
    lines: list[dict[str, Any]]


@dataclass(frozen=True)
class OrderCancelled(Event):
    order_ref: str
    sku: str | None
    lines: list[dict[str, Any]]
    #: Cancelled because the shop reduced the order: any refund is the shop's to make.
    in_shop: bool = False


@dataclass(frozen=True)
class StockReceived(Event):
    supply_ref: str
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class StockAdjusted(Event):
    sku: str
    quantity: Decimal
    reason: str


@dataclass(frozen=True)
class ExpectedDateChanged(Event):
    supply_ref: str
    old_date: date | None
    new_date: date


@dataclass(frozen=True)
class ManufacturingCompleted(Event):
    mo_ref: str
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class PromiseChanged(Event):
    order_ref: str
    line_no: int
    sku: str
    old_date: date | None
    new_date: date | None
    reason: str
