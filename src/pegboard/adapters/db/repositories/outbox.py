"""The outbox: events appended in the transaction of the change they tell of."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.domain.events import Event, EventLog, PromiseChanged, RecordsEvents


class SqlOutbox:
    """Events written in the same transaction as the change that caused them.

    Events come from the aggregates the transaction touched (each records its own) and from the
    re-promising (`record_promise_changes`); the unit of work writes them all at commit, in the
    order they were recorded.
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.written = 0
        self.promise_changes = EventLog()

    def record_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Note the line promises that moved; written at commit with the aggregates' events."""
        self.promise_changes.record(*changes)

    def write(self, touched: Iterable[RecordsEvents]) -> None:
        """Write what the touched aggregates recorded and the promise changes, in the order recorded."""
        taken = self.promise_changes.take()
        for aggregate in touched:
            if aggregate.events:
                taken += aggregate.events.take()
        if taken:
            taken.sort(key=lambda numbered: numbered[0])
            self.append([event for _, event in taken])

    def append(self, events: Sequence[Event]) -> None:
        """Append events now, in this order; each is a microsecond after the one before, so
        delivery keeps their order. The unit of work's commit is the way in for use cases."""
        first = self.written
        self.written += len(events)
        rows = [
            (
                event_id(),
                event.name,
                _as_json(payload),
                self.now + timedelta(microseconds=first + n),
                payload.get("order_ref"),
            )
            for n, (event, payload) in enumerate((event, event.payload()) for event in events)
        ]
        if len(rows) > BULK and self.conn.dialect.name == "postgresql":
            # A whole plan's moved promises (hundreds of thousands on a large shop's morning):
            # COPY takes them several times faster than one INSERT over text arrays, whose every
            # element the driver escapes in Python.
            self._copy(rows)
        else:
            insert_rows(self.conn, t.outbox, [dict(zip(COLUMNS, row, strict=True)) for row in rows])

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        """The rows by COPY FROM STDIN, on the unit of work's own connection (same transaction)."""
        driver = self.conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY outbox ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


#: `json.dumps(payload, sort_keys=True)`, without a new encoder made for every event.
_as_json = json.JSONEncoder(sort_keys=True).encode
#: The columns an appended event fills (the others keep their defaults: not yet delivered).
COLUMNS = ("id", "event_type", "payload", "created_at", "order_ref")
#: Above this many events, PostgreSQL gets them by COPY.
BULK = 2000


def event_id() -> str:
    """A new event's id: a UUID (version 7, RFC 9562) that starts with the time in milliseconds
    and ends in 74 random bits, so the outbox's key index grows at its end rather than taking
    each new event at a random page."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (millis << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
    )
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
