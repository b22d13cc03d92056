"""The outbox takes a whole plan's moved promises as it takes a few events: same rows, same order."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.repositories.outbox import (
    BULK,
    _encoded,
    _moved_dates_json,
    created_times,
    event_id,
    event_ids,
)
from pegboard.bootstrap import Pegboard
from pegboard.domain.events import EventLog, PromiseChanged, StockAdjusted
from pegboard.planning.line_changes import MovedDates


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
    count=st.integers(min_value=0, max_value=3000),
)
def test_the_times_made_at_once_are_a_microsecond_apart_from_the_first(
    now: datetime, first: int, count: int
) -> None:
    """The events' times are `now + first + n` microseconds, through seconds, days and years
    turning over."""
    assert created_times(now, first, count) == [now + timedelta(microseconds=first + n) for n in range(count)]


def test_ids_made_together_are_ascending_version_7_uuids_as_one_made_alone_each_its_own() -> None:
    shape = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for count in (1, 99, 100, 5000):
        ids = event_ids(count)
        assert len(ids) == len(set(ids)) == count
        assert all(shape.match(i) and uuid.UUID(i).version == 7 for i in ids)
        if count >= 100:  # made together: in ascending order, as the key index takes them best
            assert ids == sorted(ids)
    assert shape.match(event_id())
    # Made after one another, they start with the same or later milliseconds (48 bits, 12 digits).
    earlier, later = event_ids(200), event_ids(200)
    assert earlier[-1][:13] <= later[0][:13] <= event_id()[:13]


#: Texts as a plan's columns may hold them, with what JSON and COPY escape (no NUL: PostgreSQL's
#: texts cannot hold one, so no order ref, SKU or reason has it).
TEXTS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    st.sampled_from(["SO-000123", "", 'say "x"', "a\\b", "tab\there", "é", "\x7f"]),
)
DAYS = st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))


@st.composite
def moved_dates(draw: st.DrawFn, max_size: int = 6) -> MovedDates:
    """Some moved dates as columns: any texts, line numbers, dates or open term."""
    events = draw(
        st.lists(st.tuples(TEXTS, st.integers(-(2**40), 2**40), TEXTS, DAYS, DAYS, TEXTS), max_size=max_size)
    )
    refs, line_nos, skus, olds, news, reasons = (
        (list(column) for column in zip(*events, strict=True)) if events else ([], [], [], [], [], [])
    )
    return MovedDates(
        order_refs=refs, line_nos=line_nos, skus=skus, old_dates=olds, new_dates=news, reasons=reasons
    )


@given(moved_dates(max_size=20))
def test_moved_dates_written_from_their_columns_are_json_dumps_of_each_event(moved: MovedDates) -> None:
    """Each payload made a column at a time is the text the event alone gets, `json.dumps`' own."""
    assert _moved_dates_json(moved) == [json.dumps(e.payload(), sort_keys=True) for e in moved]


def test_moved_dates_with_a_value_of_another_type_are_not_written_from_their_columns() -> None:
    """A bool as a line number or a time as a date is left to the event-by-event encoding."""
    day = date(2026, 12, 2)
    for line_no, old in ((True, day), (1, datetime(2026, 12, 1, 9))):
        moved = MovedDates(
            order_refs=["SO-1"],
            line_nos=[line_no],
            skus=["A"],
            old_dates=[old],
            new_dates=[day],
            reasons=[""],
        )
        assert _moved_dates_json(moved) is None


class _Recorded:
    """An aggregate that recorded these events (the outbox takes them at commit)."""

    def __init__(self, *events: StockAdjusted) -> None:
        self.events = EventLog()
        self.events.record(*events)


def _repeated(moved: MovedDates, copies: int, **replaced: list[Any]) -> MovedDates:
    """These moved dates `copies` times over, as one `MovedDates`; `replaced` columns as given."""
    columns = {name: getattr(moved, name) * copies for name in MovedDates.__slots__}
    return MovedDates(**(columns | replaced))


def _taken_out(pb: Pegboard) -> list[tuple[str, str, str | None]]:
    """The outbox's rows (type, payload, order ref) in the order written, deleted once read."""
    o = t.outbox.c
    with pb.engine.begin() as conn:
        rows = conn.execute(select(o.event_type, o.payload, o.order_ref).order_by(o.created_at)).all()
        conn.execute(delete(t.outbox))
    return [(row.event_type, row.payload, row.order_ref) for row in rows]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moved=moved_dates(), copies=st.integers(1, BULK + 5))
def test_moved_dates_kept_as_columns_are_stored_as_the_same_events_built_one_by_one(
    pb: Pegboard, moved: MovedDates, copies: int
) -> None:
    """Noted as columns, the moved dates are the outbox's rows the events noted one by one give:
    same type, payload text and order ref, in the order noted among an aggregate's events (above
    `BULK` by COPY on PostgreSQL)."""
    many = _repeated(moved, copies)
    before, after = StockAdjusted("A", Decimal(1), "count"), StockAdjusted("B", Decimal(2), "count")

    def written(changes: Sequence[PromiseChanged]) -> list[tuple[str, str, str | None]]:
        with pb.uow() as uow:
            first = _Recorded(before)
            uow.outbox.record_promise_changes(changes)
            uow.outbox.write([first, _Recorded(after)])
            uow.commit()
        return _taken_out(pb)

    from_columns = written(many)
    one_by_one = written(list(many))

    assert from_columns == one_by_one
    assert len(from_columns) == len(many) + 2
    assert from_columns[0][0] == from_columns[-1][0] == "StockAdjusted"
    assert [json.loads(payload) for _, payload, _ in from_columns[1:-1]] == [e.payload() for e in many]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moved=moved_dates(), copies=st.integers(1, BULK + 5), alone=st.booleans(), same=st.booleans())
def test_moved_dates_whose_stored_form_was_made_ahead_are_stored_as_those_made_at_commit(
    pb: Pegboard, moved: MovedDates, copies: int, alone: bool, same: bool
) -> None:
    """Payloads and ids made ahead (`prepare_promise_changes`, while the store waits on the
    server) give the rows made at commit: same type, payload text and order ref, in the order
    noted among an aggregate's events; made ahead for other moved dates, these are made at commit."""
    many = _repeated(moved, copies)
    # Other moved dates, of the same length, told for another reason.
    other = _repeated(moved, copies, reasons=["another reason"] * len(many))
    before, after = StockAdjusted("A", Decimal(1), "count"), StockAdjusted("B", Decimal(2), "count")

    def written(ahead: MovedDates | None) -> list[tuple[str, str, str | None]]:
        with pb.uow() as uow:
            recorded = [] if alone else [_Recorded(before)]
            if ahead is not None:
                uow.outbox.prepare_promise_changes(ahead)
            uow.outbox.record_promise_changes(many)
            uow.outbox.write(recorded if alone else [*recorded, _Recorded(after)])
            uow.commit()
        return _taken_out(pb)

    at_commit = written(None)
    made_ahead = written(many if same else other)

    assert made_ahead == at_commit
    assert len(at_commit) == len(many) + (0 if alone else 2)


def test_a_whole_plans_moved_dates_made_ahead_and_written_alone_get_ascending_version_7_ids(
    pb: Pegboard,
) -> None:
    """The ids made ahead with the payloads of many moved dates written alone (COPY on
    PostgreSQL) are version-7 UUIDs, each its own, ascending in the events' order."""
    count = BULK + 7
    moved = MovedDates(
        order_refs=[f"SO-{k}" for k in range(count)],
        line_nos=[1] * count,
        skus=["GREEN-KETTLE"] * count,
        old_dates=[date(2026, 12, 3)] * count,
        new_dates=[date(2026, 12, 4)] * count,
        reasons=["planned MO finishes 2026-12-04"] * count,
    )

    with pb.uow() as uow:
        uow.outbox.prepare_promise_changes(moved)
        uow.outbox.record_promise_changes(moved)
        uow.commit()

    o = t.outbox.c
    with pb.engine.begin() as conn:
        rows = conn.execute(select(o.id, o.order_ref).order_by(o.created_at)).all()
    ids = [str(row.id) for row in rows]
    assert [row.order_ref for row in rows] == moved.order_refs
    assert len(set(ids)) == count
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize("count", [3, BULK + 3])
def test_events_written_before_commit_come_before_those_recorded_after_each_once(
    pb: Pegboard, count: int
) -> None:
    """`write_events` writes what was recorded so far (a plan's moved promises, while its stored
    plan's rows are worked out); what is recorded after is written at commit, after them, the
    times still a microsecond apart and nothing written twice."""
    moved = [
        PromiseChanged(f"SO-{k}", 1, "BLUE-KETTLE", date(2026, 12, 3), date(2026, 12, 4), "late")
        for k in range(count)
    ]
    later = PromiseChanged("SO-LATER", 2, "RED-KETTLE", None, date(2026, 12, 9), "planned")

    with pb.uow() as uow:
        uow.outbox.record_promise_changes(moved)
        uow.write_events()
        uow.outbox.record_promise_changes([later])
        uow.commit()

    o = t.outbox.c
    with pb.engine.connect() as conn:
        rows = conn.execute(select(o.id, o.payload, o.created_at).order_by(o.created_at)).all()
    assert [json.loads(r.payload) for r in rows] == [e.payload() for e in [*moved, later]]
    assert len({r.id for r in rows}) == count + 1
    assert all(b.created_at - a.created_at == timedelta(microseconds=1) for a, b in itertools.pairwise(rows))
