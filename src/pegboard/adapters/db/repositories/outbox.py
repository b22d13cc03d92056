"""The outbox: events appended in the transaction of the change they tell of."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.domain.events import Event, EventLog


class SqlOutbox:
    """Events written in the same transaction as the change that caused them.

    Events come from the aggregates the transaction touched (each records its own) and from
    `add`; the unit of work writes them all at commit, in the order they were recorded.
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.written = 0
        self.pending = EventLog()

    def add(self, events: Sequence[Event]) -> None:
        """Note events that belong to no aggregate (stock, supply, promises); written at commit."""
        self.pending.record(*events)

    def write(self, recorded: Iterable[Sequence[tuple[int, Event]]]) -> None:
        """Write what was added and what the aggregates recorded, in the order it was recorded."""
        taken = self.pending.take()
        for more in recorded:
            taken += more
        if taken:
            taken.sort(key=lambda numbered: numbered[0])
            self._insert([event for _, event in taken])

    def _insert(self, events: Sequence[Event]) -> None:
        """Append events; each is a microsecond after the one before, so delivery keeps their order."""
        first = self.written
        self.written += len(events)
        insert_rows(
            self.conn,
            t.outbox,
            [
                {
                    "id": str(uuid.uuid4()),
                    "event_type": event.name,
                    "payload": json.dumps(payload, sort_keys=True),
                    "created_at": self.now + timedelta(microseconds=first + n),
                    "order_ref": payload.get("order_ref"),
                }
                for n, (event, payload) in enumerate((event, event.payload()) for event in events)
            ],
        )
