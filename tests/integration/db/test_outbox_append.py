"""The outbox takes a whole plan's moved promises as it takes a few events: same rows, same order."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.outbox import BULK, _encoded
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


@given(
    order_ref=st.text(),
    line_no=st.integers(min_value=-(2**40), max_value=2**40),
    sku=st.text(),
    old_date=st.none() | st.dates() | st.datetimes(),
    new_date=st.none() | st.dates(),
    reason=st.text(),
)
def test_a_moved_promise_is_stored_as_json_dumps_writes_its_payload(
    order_ref: str, line_no: int, sku: str, old_date: date | None, new_date: date | None, reason: str
) -> None:
    """The payload written straight from a PromiseChanged's fields is `json.dumps`' own text."""
    event = PromiseChanged(order_ref, line_no, sku, old_date, new_date, reason)

    payload, ref = _encoded(event)

    assert payload == json.dumps(event.payload(), sort_keys=True)
    assert ref == order_ref
