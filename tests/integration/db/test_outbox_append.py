"""The outbox takes a whole plan's moved promises as it takes a few events: same rows, same order."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.outbox import BULK
from pegboard.bootstrap import Pegboard
from pegboard.domain.events import PromiseChanged


def test_many_events_are_appended_in_order_each_with_its_payload_and_order(pb: Pegboard) -> None:
    """Above `BULK` events (COPY on PostgreSQL), every event is a row a microsecond after the one before."""
    events = [
        PromiseChanged(
            f"SO-{k:05d}", 1, "BLUE-KETTLE", None, date(2026, 12, 2) + timedelta(days=k % 9), "tab\there"
        )
        for k in range(BULK + 5)
    ]

    with pb.uow() as uow:
        uow.outbox.append(events)
        uow.commit()

    o = t.outbox.c
    with pb.engine.connect() as conn:
        rows = conn.execute(
            select(o.event_type, o.payload, o.created_at, o.order_ref, o.delivered_at, o.attempts).order_by(
                o.created_at
            )
        ).all()
    assert [json.loads(r.payload) for r in rows] == [e.payload() for e in events]
    assert [r.order_ref for r in rows] == [e.order_ref for e in events]
    assert {r.event_type for r in rows} == {"PromiseChanged"}
    assert all(b.created_at - a.created_at == timedelta(microseconds=1) for a, b in itertools.pairwise(rows))
    assert {(r.delivered_at, r.attempts) for r in rows} == {(None, 0)}
