"""The outbox: events stored in the transaction, the channels that deliver them, and delivery records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pegboard.domain.events import PromiseChanged


class Outbox(Protocol):
    """Events appended in the transaction of the change they tell of, in order; delivered after commit.

    Aggregates record their own events (`RecordsEvents`) and the unit of work writes them at
    commit. Promise changes are the one kind no aggregate records: re-promising compares the
    plan's dates with the stored promises and never loads the orders (a receipt can move a
    thousand lines' promises), so `services.planning.save_promises` notes them here.
    """

    def record_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Note the line promises that moved; they are written at commit with the aggregates' events."""
        ...

    def prepare_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Make now what storing these promise changes takes (payloads, ids), called beside the
        caller's wait on the database; `record_promise_changes` of these very changes then
        writes what was made. Without it they are made at commit: the rows are the same."""
        ...


@dataclass(frozen=True)
class StoredEvent:
    """An event as the outbox holds it, on its way to the channels that deliver it."""

    id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    order_ref: str | None


class Channel(Protocol):
    """Somewhere events go after commit (customer email, the shop, re-promising).

    `deliver` gets the due events the channel wants, oldest first, and returns the ids that
    failed with the reason; every other event counts as delivered to this channel and is
    never given to it again. Delivery is at least once: a channel must tolerate a repeat
    after a crash between its work and the record of it.
    """

    name: str

    def wants(self, event_type: str) -> bool: ...

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]: ...


@dataclass(frozen=True)
class DeliveryFailure:
    """A failed attempt: the event's attempt count now, why, and when it is tried again."""

    event_id: str
    attempts: int
    error: str
    #: None when the event is parked (it waits for `pegboard outbox --retry`).
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class OutboxEntry:
    """An outbox event with its delivery state, as `pegboard outbox` lists it."""

    id: str
    event_type: str
    order_ref: str | None
    created_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    parked_at: datetime | None
    delivered_at: datetime | None

    @property
    def status(self) -> str:
        """delivered, parked or pending."""
        if self.delivered_at is not None:
            return "delivered"
        return "parked" if self.parked_at is not None else "pending"


class DeliveryRepository(Protocol):
    """The outbox seen by its deliverer: claims, per-channel records, retries and parking."""

    def due_count(self, now: datetime) -> int: ...

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[StoredEvent]: ...

    def taken(self, event_ids: Iterable[str]) -> dict[str, set[str]]: ...

    def record_taken(self, taken: Iterable[tuple[str, str]], *, now: datetime) -> None: ...

    def mark_delivered(self, event_ids: Iterable[str], *, now: datetime) -> None: ...

    def mark_failed(self, failures: Sequence[DeliveryFailure], *, now: datetime) -> None: ...

    def release(self, event_ids: Iterable[str]) -> None: ...

    def entries(self, *, include_pending: bool = False) -> list[OutboxEntry]: ...

    def get(self, event_ids: Iterable[str]) -> dict[str, OutboxEntry]: ...

    def unpark(self, event_ids: Iterable[str] | None) -> list[str]: ...
