"""Outbox delivery: committed events go to their channels at least once, one order's events in order.

A pass claims due events in a short transaction (a lease hides them from other deliverers),
hands them to the channels outside any transaction, then records the outcome in another short
transaction. A crash after the claim only delays the events until the lease runs out.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from pegboard.domain.errors import ActionRefused, UnknownReference
from pegboard.services.ports import (
    Channel,
    Clock,
    DeliveryFailure,
    OutboxEntry,
    StoredEvent,
    UnitOfWork,
)
from pegboard.services.runner import with_retries

log = logging.getLogger("pegboard.delivery")

#: How long a claimed event stays hidden from other deliverers (and, after a crash, undelivered).
LEASE_SECONDS = 900.0
#: No retry waits longer than this.
MAX_BACKOFF_SECONDS = 3600.0
#: Stored error texts are cut to this length.
MAX_ERROR_LENGTH = 2000

UowFactory = Callable[[], UnitOfWork]


class UnknownEvent(UnknownReference):
    """No outbox event has this id."""

    code = "unknown_event"
    kind = "event"


class EventNotParked(ActionRefused):
    """Only a parked event can be retried by hand; this one is delivered or still being retried."""

    code = "event_not_parked"


@dataclass
class DeliveryReport:
    """What one pass did: events delivered, failed (to be retried), parked, and held back."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0
    #: Held back behind an older event of the same order that failed in this pass.
    waiting: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "parked": self.parked,
            "waiting": self.waiting,
        }


@dataclass
class _Outcome:
    """A batch after the channels had it: what each channel took, and each event's fate."""

    taken: list[tuple[str, str]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)


def deliver_pending(
    channels: Sequence[Channel],
    *,
    uow_factory: UowFactory,
    clock: Clock,
    max_attempts: int,
    backoff_seconds: float,
    lease_seconds: float = LEASE_SECONDS,
    limit: int = 10_000,
    batch_size: int = 100,
    on_progress: Callable[[int], None] | None = None,
    stopping: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """One pass: deliver due events, oldest first, a batch at a time, until none is due or `limit`.

    Each event goes to every channel that wants it, in the order of `channels`, a channel only
    after the ones before it took the event, and at most once per channel after success. A
    failure (a channel's answer, or its exception) retries the event after a doubling backoff;
    after `max_attempts` failures it is parked. `on_progress` hears how many events each batch
    handled; `stopping` is asked between batches.
    """
    report = DeliveryReport()
    handled = 0
    while handled < limit and not (stopping is not None and stopping()):
        size = min(batch_size, limit - handled)
        batch, taken = with_retries(partial(_claim, uow_factory, clock, lease_seconds, size))
        if not batch:
            break
        outcome = _deliver(batch, channels, taken=taken)
        record = partial(_record, outcome, batch, uow_factory, clock, max_attempts, backoff_seconds, report)
        with_retries(record)
        handled += len(batch)
        if on_progress is not None:
            on_progress(len(batch))
    return report


def _claim(
    uow_factory: UowFactory, clock: Clock, lease_seconds: float, limit: int
) -> tuple[list[StoredEvent], dict[str, set[str]]]:
    """Due events under a lease, and the channels that already took each of them."""
    now = clock.now()
    with uow_factory() as uow:
        batch = uow.deliveries.claim(now=now, until=now + timedelta(seconds=lease_seconds), limit=limit)
        taken = uow.deliveries.taken(event.id for event in batch)
        uow.commit()
    return batch, taken


def _deliver(
    batch: Sequence[StoredEvent], channels: Sequence[Channel], *, taken: dict[str, set[str]]
) -> _Outcome:
    """Hand the batch to the channels in rounds: each round takes the next event of every order.

    An order's later event waits for the round after its earlier one was delivered, and waits
    for the next pass when that one failed.
    """
    outcome = _Outcome()
    queue = list(batch)
    stuck: set[str] = set()
    while queue:
        this_round: list[StoredEvent] = []
        later: list[StoredEvent] = []
        seen: set[str] = set()
        for event in queue:
            if event.order_ref is not None and event.order_ref in stuck:
                outcome.waiting.append(event.id)
            elif event.order_ref is not None and event.order_ref in seen:
                later.append(event)
            else:
                this_round.append(event)
                if event.order_ref is not None:
                    seen.add(event.order_ref)
        failed = _round(this_round, channels, taken, outcome)
        for event in this_round:
            if event.id in failed:
                outcome.failed[event.id] = failed[event.id]
                if event.order_ref is not None:
                    stuck.add(event.order_ref)
            else:
                outcome.delivered.append(event.id)
        queue = later
    return outcome


def _round(
    events: Sequence[StoredEvent],
    channels: Sequence[Channel],
    taken: dict[str, set[str]],
    outcome: _Outcome,
) -> dict[str, str]:
    """Each channel in turn gets the events it wants and has not taken, unless an earlier one failed."""
    failed: dict[str, str] = {}
    for channel in channels:
        given = [
            event
            for event in events
            if event.id not in failed
            and channel.name not in taken.setdefault(event.id, set())
            and channel.wants(event.event_type)
        ]
        if not given:
            continue
        for event_id, error in _call(channel, given).items():
            failed[event_id] = _cut(f"{channel.name}: {error}")
        for event in given:
            if event.id not in failed:
                taken[event.id].add(channel.name)
                outcome.taken.append((event.id, channel.name))
    return failed


def _call(channel: Channel, events: Sequence[StoredEvent]) -> dict[str, str]:
    """The channel's failures; an exception fails every event it was given (the pass goes on)."""
    given = {event.id for event in events}
    try:
        answer = channel.deliver(events)
    except Exception as error:
        log.warning("channel %s failed on %d event(s)", channel.name, len(events), exc_info=True)
        reason = f"{type(error).__name__}: {error}"
        return dict.fromkeys(given, reason)
    return {event_id: str(error) for event_id, error in answer.items() if event_id in given}


def _record(
    outcome: _Outcome,
    batch: Sequence[StoredEvent],
    uow_factory: UowFactory,
    clock: Clock,
    max_attempts: int,
    backoff_seconds: float,
    report: DeliveryReport,
) -> None:
    """Store what each channel took, delivered events, each failure's next try; release the rest."""
    now = clock.now()
    attempts = {event.id: event.attempts for event in batch}
    failures = [
        _failure(event_id, attempts[event_id] + 1, error, now, max_attempts, backoff_seconds)
        for event_id, error in outcome.failed.items()
    ]
    with uow_factory() as uow:
        uow.deliveries.record_taken(outcome.taken, now=now)
        uow.deliveries.mark_delivered(outcome.delivered, now=now)
        uow.deliveries.mark_failed(failures, now=now)
        uow.deliveries.release(outcome.waiting)
        uow.commit()
    parked = sum(1 for f in failures if f.next_attempt_at is None)
    report.delivered += len(outcome.delivered)
    report.failed += len(failures) - parked
    report.parked += parked
    report.waiting += len(outcome.waiting)


def _failure(
    event_id: str, attempts: int, error: str, now: datetime, max_attempts: int, backoff_seconds: float
) -> DeliveryFailure:
    """After `max_attempts` failures the event is parked (no next attempt)."""
    if attempts >= max_attempts:
        return DeliveryFailure(event_id, attempts, error, None)
    delay = timedelta(seconds=backoff_delay(attempts, backoff_seconds))
    return DeliveryFailure(event_id, attempts, error, now + delay)


def backoff_delay(attempts: int, backoff_seconds: float) -> float:
    """Seconds before the next try: the backoff, doubled per earlier failure, plus up to a tenth.

    At most an hour; never under a second, so a pass never retries within itself what just failed.
    """
    base = min(backoff_seconds * 2.0 ** min(max(attempts - 1, 0), 32), MAX_BACKOFF_SECONDS)
    return max(1.0, min(base * random.uniform(1.0, 1.1), MAX_BACKOFF_SECONDS))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 3] + "..."


def due_count(*, uow: UnitOfWork, clock: Clock) -> int:
    """How many events wait for delivery and are due now."""
    with uow:
        return uow.deliveries.due_count(clock.now())


def outbox_entries(*, uow: UnitOfWork, include_pending: bool = False) -> list[OutboxEntry]:
    """Parked events, oldest first; with `include_pending`, also those still on their way."""
    with uow:
        return uow.deliveries.entries(include_pending=include_pending)


def retry_parked(event_ids: Sequence[str] | None, *, uow: UnitOfWork) -> list[str]:
    """Un-park these events (or every parked one): attempts start again and they are due now.

    An unknown id, or one that is not parked, refuses the whole request and changes nothing.
    """
    with uow:
        if event_ids:
            found = uow.deliveries.get(event_ids)
            for event_id in event_ids:
                entry = found.get(event_id)
                if entry is None:
                    raise UnknownEvent(event_id, field="event_id")
                if entry.status != "parked":
                    raise EventNotParked(f"event {event_id!r} is {entry.status}, not parked")
        retried = uow.deliveries.unpark(event_ids or None)
        uow.commit()
    return retried
