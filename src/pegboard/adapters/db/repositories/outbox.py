"""The outbox: events appended in the transaction of the change they tell of."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.bulk import insert_rows
from pegboard.adapters.db.copying import blocks, copy_binary
from pegboard.domain.events import Event, PromiseChanged, RecordsEvents, next_recorded
from pegboard.planning.line_changes import MovedDates

#: Events recorded together, numbered as one in the order of recording: one an aggregate
#: recorded, or the promise changes a re-promising noted at once.
Numbered = tuple[int, Event | Sequence[PromiseChanged]]


class SqlOutbox:
    """Events written in the same transaction as the change that caused them.

    Events come from the aggregates the transaction touched (each records its own) and from the
    re-promising (`record_promise_changes`); the unit of work writes them all at commit, in the
    order they were recorded.
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.written = 0
        self.promise_changes: list[Numbered] = []
        #: A whole plan's moved dates, their payloads and their ids made ahead (`prepare_promise_changes`).
        self._prepared: tuple[MovedDates, list[str] | None, list[bytes]] | None = None

    def prepare_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Make the payloads and ids of a whole plan's moved dates now (`_moved_dates_json`,
        `_event_id_bytes`), while the caller's transaction waits on the server; `write` takes
        them for these very changes when they are all it writes by COPY, and makes anything else
        at commit as before."""
        if isinstance(changes, MovedDates) and len(changes) > BULK:
            self._prepared = (changes, _moved_dates_json(changes), _event_id_bytes(len(changes)))

    def record_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Note the line promises that moved; written at commit with the aggregates' events."""
        if changes:
            self.promise_changes.append((next_recorded(), changes))

    def write(self, touched: Iterable[RecordsEvents]) -> None:
        """Write what the touched aggregates recorded and the promise changes, in the order recorded."""
        taken, self.promise_changes = self.promise_changes, []
        for aggregate in touched:
            if aggregate.events:
                taken += aggregate.events.take()
        if taken:
            taken.sort(key=itemgetter(0))
            self._append_runs(list(_runs(taken)))

    def append(self, events: Sequence[Event]) -> None:
        """Append events now, in this order; each is a microsecond after the one before, so
        delivery keeps their order. The unit of work's commit is the way in for use cases."""
        self._append_runs([events])

    def _append_runs(self, runs: Sequence[Sequence[Event]]) -> None:
        """`append` of the runs' events, one run after another (a whole plan's moved dates are one
        run, written from its columns: `_moved_dates_json`)."""
        count = sum(map(len, runs))
        first = self.written
        self.written += count
        names: list[str] = []
        payloads: list[str] = []
        order_refs: list[str | None] = []
        prepared, self._prepared = self._prepared, None
        for run in runs:
            if isinstance(run, MovedDates) and (texts := _texts(run, prepared)) is not None:
                names += [PromiseChanged.__name__] * len(run)
                payloads += texts
                order_refs += run.order_refs
            elif run:
                names += [event.name for event in run]
                encoded, refs = zip(*map(_encoded, run), strict=True)
                payloads += encoded
                order_refs += refs
        created = created_times(self.now, first, count)
        if count > BULK and self.conn.dialect.name == "postgresql":
            # A whole plan's moved promises (hundreds of thousands on a large shop's morning):
            # COPY takes them several times faster than one INSERT over text arrays, whose every
            # element the driver escapes in Python; in its binary format psycopg writes each value
            # in C and the server takes the times as they come: in COPY's text format it parsed
            # each time back (at L's morning, 611k events: about 1 s of the server's CPU).
            # The ids made ahead serve when the prepared run is all there is to write.
            if prepared is not None and len(runs) == 1 and runs[0] is prepared[0]:
                ids = prepared[2]
            else:
                ids = _event_id_bytes(count)
            columns = (ids, names, payloads, created, order_refs)
            # Each id as its UUID's 16 bytes, which the server reads as its `uuid` column's type
            # (psycopg's own writer for `uuid` wants a `uuid.UUID` each, and calls Python for every one).
            copy_binary(self.conn, t.outbox, COLUMNS, blocks(columns), sent_as={"id": "bytea"})
            return
        rows = zip(event_ids(count), names, payloads, created, order_refs, strict=True)
        insert_rows(self.conn, t.outbox, [dict(zip(COLUMNS, row, strict=True)) for row in rows])


def _texts(
    run: MovedDates, prepared: tuple[MovedDates, list[str] | None, list[bytes]] | None
) -> list[str] | None:
    """`_moved_dates_json(run)`: made ahead when `run` is the very one prepared, else now."""
    return prepared[1] if prepared is not None and prepared[0] is run else _moved_dates_json(run)


def _runs(numbered: Sequence[Numbered]) -> Iterator[Sequence[Event]]:
    """The recorded events in order, as runs: the events recorded one at a time between two
    sets of promise changes together, each set of promise changes as it was noted."""
    single: list[Event] = []
    for _, recorded in numbered:
        if isinstance(recorded, Event):
            single.append(recorded)
            continue
        if single:
            yield single
            single = []
        yield recorded
    if single:
        yield single


def created_times(now: datetime, first: int, count: int) -> list[datetime]:
    """The times of `count` events, the first `first` microseconds after `now`, each a microsecond
    after the one before (`now + timedelta(microseconds=first + n)`, made at once by NumPy; `now`
    is naive, as every clock here gives it)."""
    start = np.datetime64(now, "us") + np.timedelta64(first, "us")
    return cast(list[datetime], (start + np.arange(count, dtype=np.int64).astype("timedelta64[us]")).tolist())


#: `json.dumps(payload, sort_keys=True)`, without a new encoder made for every event.
_as_json = json.JSONEncoder(sort_keys=True).encode


def _encoded(event: Event) -> tuple[str, str | None]:
    """The event's payload as stored (`_as_json(event.payload())`) and its order ref."""
    if type(event) is PromiseChanged:
        text = _promise_changed_json(event)
        if text is not None:
            return text, event.order_ref
    payload = event.payload()
    return _as_json(payload), payload.get("order_ref")


def _promise_changed_json(e: PromiseChanged) -> str | None:
    """`_as_json(e.payload())` written straight from the fields, keys in sorted order (a large
    shop's morning plan writes hundreds of thousands); None for a field of any other type."""
    if not (type(e.line_no) is int and type(e.order_ref) is type(e.sku) is type(e.reason) is str):
        return None
    old, new = _json_day(e.old_date), _json_day(e.new_date)
    if old is None or new is None:
        return None
    return (
        f'{{"line_no": {e.line_no}, "new_date": {new}, "old_date": {old}, '
        f'"order_ref": {_json_text(e.order_ref)}, "reason": {_json_text(e.reason)}, '
        f'"sku": {_json_text(e.sku)}}}'
    )


def _moved_dates_json(moved: MovedDates) -> list[str] | None:
    """`_promise_changed_json` of every moved date, made from the columns: the types checked a
    column at a time, each distinct date written once, then each payload by one f-string (a large
    shop's morning writes 600k); None when a column holds a value of another type (then each
    event is encoded)."""
    if not (
        _all_of(int, moved.line_nos)
        and _all_of(str, moved.order_refs)
        and _all_of(str, moved.skus)
        and _all_of(str, moved.reasons)
    ):
        return None
    days = {day: _json_day(day) for day in {*moved.old_dates, *moved.new_dates}}
    if None in days.values():
        return None
    known = cast(dict[date | None, str], days)
    # One f-string per event, the texts encoded in it (`_json_text` is C: cheaper called for each
    # than looked up by value, and the texts are not made into lists first).
    return [
        f'{{"line_no": {n}, "new_date": {known[new]}, "old_date": {known[old]}, '
        f'"order_ref": {_json_text(ref)}, "reason": {_json_text(why)}, "sku": {_json_text(sku)}}}'
        for n, new, old, ref, why, sku in zip(
            moved.line_nos,
            moved.new_dates,
            moved.old_dates,
            moved.order_refs,
            moved.reasons,
            moved.skus,
            strict=True,
        )
    ]


def _all_of(kind: type, values: Sequence[object]) -> bool:
    """Every value is of this very type (not a subclass: a bool is no line number)."""
    return set(map(type, values)) <= {kind}


#: How `json.dumps` writes a text (ASCII only, as `ensure_ascii` does by default).
_json_text = encode_basestring_ascii


def _json_day(day: date | None) -> str | None:
    """A date as the payload holds it (ISO text, or null); None for any other value."""
    if day is None:
        return "null"
    return _json_date(day) if type(day) is date else None


@lru_cache(maxsize=4096)
def _json_date(day: date) -> str:
    """A date's JSON text, each written once (a morning's events share a few hundred dates)."""
    return f'"{day.isoformat()}"'


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


def event_ids(count: int) -> list[str]:
    """`count` new event ids, as `event_id` makes them, made together (a large shop's morning
    plan writes hundreds of thousands of events): the same time, each its own random bits, in
    ascending order of their first 112 bits, so the key index takes each after the one before,
    at its end (at random places in the batch's range, 600k cost the server about 1 s of CPU more)."""
    if count < 100:
        return [event_id() for _ in range(count)]
    raw = _raw_ids(count)
    # The hex digits of every id at once, then the dashes put in for all of them by columns.
    hexed = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype=np.uint8).reshape(count, 32)
    dashed = np.full((count, 36), ord("-"), dtype=np.uint8)
    for start, end, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        dashed[:, at : at + end - start] = hexed[:, start:end]
    text = dashed.tobytes().decode("ascii")
    return [text[k : k + 36] for k in range(0, 36 * count, 36)]


def _event_id_bytes(count: int) -> list[bytes]:
    """`event_ids(count)` as the 16 bytes of each UUID (how PostgreSQL's `uuid` takes them in
    COPY's binary format: no text made here, none parsed there)."""
    raw = _raw_ids(count).tobytes()
    return [raw[k : k + 16] for k in range(0, 16 * count, 16)]


def _raw_ids(count: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The bytes of `count` new version-7 UUIDs of this millisecond, one row each, ascending."""
    millis = time.time_ns() // 1_000_000
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, :6] = np.frombuffer(millis.to_bytes(6, "big"), dtype=np.uint8)
    raw[:, 6] = 0x70 | (raw[:, 6] & 0x0F)  # version 7
    raw[:, 8] = 0x80 | (raw[:, 8] & 0x3F)  # the RFC's variant
    # The same first 48 bits: ordered by the next 64 (big-endian, as the text reads), which two
    # of a morning's 600k ids share by a chance in 10^8; the last 16 then keep any order.
    return raw[np.argsort(raw[:, 6:14].copy().view(">u8").ravel())]
