"""The outbox: events appended in the transaction of the change they tell of."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.domain.events import Event


class SqlOutbox:
    """Events written in the same transaction as the change that caused them."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.written = 0

    def add(self, events: Sequence[Event]) -> None:
        """Append events; each is a microsecond after the one before, so delivery keeps their order."""
        if not events:
            return
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
