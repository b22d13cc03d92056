"""The outbox as its deliverer sees it: claims, per-channel records, backoff and parking, in SQL."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from pegboard.adapters.db import tables as t
from pegboard.services.ports import DeliveryFailure, OutboxEntry, StoredEvent

_o = t.outbox
_older = _o.alias("older")
_PENDING = and_(_o.c.delivered_at.is_(None), _o.c.parked_at.is_(None))
_DUE = and_(_PENDING, or_(_o.c.next_attempt_at.is_(None), _o.c.next_attempt_at <= bindparam("now")))
#: An older event of the same order that is pending but not due (claimed elsewhere, or backing
#: off after a failure): the younger one waits for it. Only a claim or a failure gives an event a
#: next try, so such events are the few `ix_outbox_deferred_order` holds (a new one enters none).
_HELD_BACK = (
    exists()
    .where(
        _older.c.order_ref == _o.c.order_ref,
        _older.c.delivered_at.is_(None),
        _older.c.parked_at.is_(None),
        _older.c.next_attempt_at > bindparam("now"),
        or_(
            _older.c.created_at < _o.c.created_at,
            and_(_older.c.created_at == _o.c.created_at, _older.c.id < _o.c.id),
        ),
    )
    .correlate(_o)
)
_DUE_EVENTS = select(_o).where(_DUE, ~_HELD_BACK).order_by(_o.c.created_at, _o.c.id)
_EVENTS_BY_ID = select(_o).where(_o.c.id.in_(bindparam("ids", expanding=True)))
_ENTRY_ORDER = (_o.c.created_at, _o.c.id)


class SqlDeliveries:
    """Due events claimed under a lease, what each channel took, and each failure's next try."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def due_count(self, now: datetime) -> int:
        """How many events are waiting to be delivered and due by `now`."""
        found = self.conn.execute(select(func.count()).select_from(_o).where(_DUE), {"now": now})
        return int(found.scalar_one())

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[StoredEvent]:
        """Take up to `limit` due events, oldest first, and hide them from other deliverers until `until`.

        On PostgreSQL rows another deliverer is claiming are skipped (SKIP LOCKED); SQLite has
        one writer at a time. An event is left alone while an older event of its order is
        pending and not part of this claim, so one order's events go out in order.
        """
        query = _DUE_EVENTS.limit(limit).with_for_update(skip_locked=True, of=_o)
        rows = self.conn.execute(query, {"now": now}).all()
        blocked = self._behind_others(rows)
        kept = [row for row in rows if row.id not in blocked]
        if kept:
            self.conn.execute(
                update(_o).where(_o.c.id.in_([row.id for row in kept])).values(next_attempt_at=until)
            )
        return [
            StoredEvent(
                id=row.id,
                event_type=row.event_type,
                payload=json.loads(row.payload),
                created_at=row.created_at,
                attempts=row.attempts,
                order_ref=row.order_ref,
            )
            for row in kept
        ]

    def _behind_others(self, rows: Sequence[Any]) -> set[str]:
        """Claimed ids with an older pending event of their order outside the claim.

        The query already skips events held back by a claimed or backing-off older one; this
        catches the race in which another deliverer was claiming the older one at that moment:
        the query passed over its locked row (SKIP LOCKED) and, that claim not yet committed,
        saw it due, so nothing held the younger one back. Read after the query, in a statement
        of its own, it also sees an older event that became pending meanwhile.

        An event that holds a claimed one back is older than it, so only the pending events up
        to the claim's newest are read, through `ix_outbox_pending` (the claim's query passed
        every one of them on its way, oldest first); the order refs are a filter, with no index
        by order for every new event to enter. The read has no lower bound: the event being
        claimed elsewhere can be older than all of this claim. What is blocked is what reading
        every pending event of these orders would block (younger ones hold nothing back).
        """
        mine = [row for row in rows if row.order_ref is not None]
        if not mine:
            return set()
        claimed = {row.id for row in rows}
        newest = max(row.created_at for row in mine)
        siblings: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        query = select(_o.c.id, _o.c.order_ref, _o.c.created_at).where(
            _PENDING, _o.c.created_at <= newest, _o.c.order_ref.in_({row.order_ref for row in mine})
        )
        for row in self.conn.execute(query):
            siblings[row.order_ref].append((row.created_at, row.id))
        blocked: set[str] = set()
        for events in siblings.values():
            waiting = False
            for _, event_id in sorted(events):
                if event_id not in claimed:
                    waiting = True
                elif waiting:
                    blocked.add(event_id)
        return blocked

    def taken(self, event_ids: Iterable[str]) -> dict[str, set[str]]:
        """The channels that already took each of these events."""
        ids = list(event_ids)
        found: dict[str, set[str]] = {event_id: set() for event_id in ids}
        if not ids:
            return found
        d = t.outbox_deliveries
        for row in self.conn.execute(select(d.c.event_id, d.c.channel).where(d.c.event_id.in_(ids))):
            found[row.event_id].add(row.channel)
        return found

    def record_taken(self, taken: Iterable[tuple[str, str]], *, now: datetime) -> None:
        """Remember that each (event, channel) was delivered; a repeat record is ignored."""
        rows = [
            {"event_id": event_id, "channel": channel, "delivered_at": now} for event_id, channel in taken
        ]
        if rows:
            self.conn.execute(self._insert_once(), rows)

    def _insert_once(self) -> Insert:
        if self.conn.dialect.name == "postgresql":
            return postgresql.insert(t.outbox_deliveries).on_conflict_do_nothing()
        return sqlite.insert(t.outbox_deliveries).on_conflict_do_nothing()

    def mark_delivered(self, event_ids: Iterable[str], *, now: datetime) -> None:
        """Every channel that wants these events has them: they are done."""
        ids = list(event_ids)
        if ids:
            self.conn.execute(
                update(_o)
                .where(_o.c.id.in_(ids), _o.c.delivered_at.is_(None))
                .values(delivered_at=now, next_attempt_at=None, parked_at=None)
            )

    def mark_failed(self, failures: Sequence[DeliveryFailure], *, now: datetime) -> None:
        """Store each failure's attempt count, reason and next try; no next try means parked."""
        if not failures:
            return
        statement = (
            update(_o)
            .where(_o.c.id == bindparam("event_id"), _o.c.delivered_at.is_(None))
            .values(
                attempts=bindparam("new_attempts"),
                last_error=bindparam("error"),
                next_attempt_at=bindparam("next_at"),
                parked_at=bindparam("parked"),
            )
        )
        self.conn.execute(
            statement,
            [
                {
                    "event_id": f.event_id,
                    "new_attempts": f.attempts,
                    "error": f.error,
                    "next_at": f.next_attempt_at,
                    "parked": now if f.next_attempt_at is None else None,
                }
                for f in failures
            ],
        )

    def release(self, event_ids: Iterable[str]) -> None:
        """Give claimed events back untried: they are due again (once nothing older holds them)."""
        ids = list(event_ids)
        if ids:
            self.conn.execute(update(_o).where(_o.c.id.in_(ids), _PENDING).values(next_attempt_at=None))

    def entries(self, *, include_pending: bool = False) -> list[OutboxEntry]:
        """Parked events (and with `include_pending` those still on their way), oldest first."""
        waiting = _o.c.delivered_at.is_(None) if include_pending else _o.c.parked_at.is_not(None)
        rows = self.conn.execute(select(_o).where(waiting).order_by(*_ENTRY_ORDER))
        return [_entry(row) for row in rows]

    def get(self, event_ids: Iterable[str]) -> dict[str, OutboxEntry]:
        """The events with these ids, whatever their state; unknown ids are absent."""
        ids = self._could_be(event_ids)
        if not ids:
            return {}
        return {row.id: _entry(row) for row in self.conn.execute(_EVENTS_BY_ID, {"ids": ids})}

    def unpark(self, event_ids: Iterable[str] | None) -> list[str]:
        """Make parked events (these, or all) due now with a fresh count of attempts."""
        query = select(_o.c.id).where(_o.c.parked_at.is_not(None)).order_by(*_ENTRY_ORDER)
        if event_ids is not None:
            query = query.where(_o.c.id.in_(self._could_be(event_ids)))
        ids = list(self.conn.execute(query.with_for_update()).scalars())
        if ids:
            self.conn.execute(
                update(_o).where(_o.c.id.in_(ids)).values(parked_at=None, attempts=0, next_attempt_at=None)
            )
        return ids

    def _could_be(self, event_ids: Iterable[str]) -> list[str]:
        """These ids but those no event can have (sorted, once each): on PostgreSQL an id is a
        `uuid`, read back as the text an event id is made of (lowercase); any other text, typed
        by someone, would be refused by the database, or taken for another spelling of an id."""
        ids = sorted(set(event_ids))
        if self.conn.dialect.name != "postgresql":
            return ids
        return [i for i in ids if _EVENT_ID.fullmatch(i)]


#: The text of an event id as PostgreSQL gives a `uuid` back (and `outbox.event_id` makes it).
_EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        event_type=row.event_type,
        order_ref=row.order_ref,
        created_at=row.created_at,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        parked_at=row.parked_at,
        delivered_at=row.delivered_at,
    )
