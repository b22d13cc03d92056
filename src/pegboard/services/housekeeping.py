"""Housekeeping: rows kept to de-duplicate or deliver are forgotten after a retention period."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from pegboard.domain.errors import InvalidValue
from pegboard.services.holds import end_expired_holds
from pegboard.services.ports import Clock, UnitOfWork

#: Shopify retries a webhook for up to 48 hours and clients retry requests for hours at most;
#: a week leaves a wide margin, so a shorter retention is refused.
MIN_RETENTION_DAYS = 7


@dataclass(frozen=True)
class Forgotten:
    """How many rows of each kind were deleted."""

    delivered_events: int
    idempotency_keys: int
    shopify_event_ids: int
    #: Stored promise parts no promise names any more (whatever their age).
    unused_promise_parts: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def forget_old_records(retention_days: int, *, uow: UnitOfWork, clock: Clock) -> Forgotten:
    """Delete delivered outbox events, stored request answers and Shopify event ids older than
    `retention_days` (at least a week), and the promise parts no promise names; business records,
    pending and parked events stay."""
    if retention_days < MIN_RETENTION_DAYS:
        raise InvalidValue("retention_days", str(retention_days), f"must be at least {MIN_RETENTION_DAYS}")
    before = clock.now() - timedelta(days=retention_days)
    with uow:
        end_expired_holds(uow, clock.now())  # orders given the freed stock record it
        forgotten = Forgotten(
            delivered_events=uow.housekeeping.forget_delivered_events(before),
            idempotency_keys=uow.housekeeping.forget_answers(before),
            shopify_event_ids=uow.housekeeping.forget_webhook_ids(before),
            unused_promise_parts=uow.housekeeping.forget_unused_parts(),
        )
        uow.commit()
    return forgotten
