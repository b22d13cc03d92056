"""The outbox takes a whole plan's moved promises as it takes a few events: same rows, same order."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.outbox import BULK, _encoded, created_texts, event_id, event_ids
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


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1)),
    first=st.integers(min_value=0, max_value=10**7),
    count=st.integers(min_value=0, max_value=50),
)
def test_the_times_copied_as_text_are_the_times_inserted_as_datetimes(
    now: datetime, first: int, count: int
) -> None:
    """COPY's texts of the events' times read back as `now + first + n` microseconds, through
    seconds, days and years turning over."""
    texts = created_texts(now, first, count)

    assert [datetime.fromisoformat(text) for text in texts] == [
        now + timedelta(microseconds=first + n) for n in range(count)
    ]


def test_ids_made_together_are_version_7_uuids_as_one_made_alone_each_its_own() -> None:
    shape = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for count in (1, 99, 100, 5000):
        ids = event_ids(count)
        assert len(ids) == len(set(ids)) == count
        assert all(shape.match(i) and uuid.UUID(i).version == 7 for i in ids)
    assert shape.match(event_id())
    # Made after one another, they start with the same or later milliseconds (48 bits, 12 digits).
    earlier, later = event_ids(200), event_ids(200)
    assert earlier[-1][:13] <= later[0][:13] <= event_id()[:13]
