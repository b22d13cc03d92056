"""A whole snapshot's open lines read as columns: on PostgreSQL, one row of arrays, not a row per line.

A large shop has a million open lines. Read row by row, the driver makes a tuple and ten values
per line, and planning then takes each column out of a million objects again
(`planning.arrays.build_demands`). Here the database packs each column into one array
(`array_send(array_agg(...))`, a byte string NumPy reads as it is), and each order's ref,
priority and date come once per order, not once per line. The demands are then made from the
columns, which the snapshot keeps for planning (`planning.snapshot.DemandColumns`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    LargeBinary,
    Select,
    and_,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.sql.functions import Function

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.planning.queries import driver_row, local_settings
from pegboard.domain.quantities import from_units
from pegboard.domain.sales import LineKind
from pegboard.planning.coded import CodedTexts
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import BackorderDemand, DemandColumns, MadeOnDemand
from pegboard.planning.values import distinct, objects

#: A line's flags: a preorder, a configured line (its options are read apart: few lines have any).
PREORDER, CONFIGURED = 1, 2
#: Between two order refs in their one string; a ref holding it sends the read back to rows.
SEPARATOR = "\n"
#: `array_send` of a one-dimensional BIGINT array without NULLs: five int32 of header, then
#: each element as its length (8) and its value, big-endian.
_HEADER = 5
_ELEMENT = np.dtype([("length", ">i4"), ("value", ">i8")])
#: A timestamp as PostgreSQL sends it counts microseconds from 2000-01-01; `OpenLines.at` from 1970.
_EPOCH_2000 = 946_684_800_000_000
#: The largest microsecond count: PostgreSQL's `infinity` (and `-infinity` one below the smallest).
_INFINITE = np.iinfo(np.int64).max

T = TypeVar("T")


@dataclass(frozen=True)
class OpenLines:
    """The open lines that are not drop-shipped, by order (its id) then line number, and their orders
    by id."""

    order: Ints  # each line's order: an index into the order columns
    line_no: Ints
    item_id: Ints
    units: Ints  # the open quantity in micro-units
    line_id: Ints
    flags: Ints
    order_id: Ints
    priority: Ints
    at: Ints  # ordered_at as microseconds since the epoch
    order_refs: list[str]


def open_line_columns(conn: Connection) -> OpenLines | None:
    """Every open line that is not drop-shipped, and its order, in one query on PostgreSQL (one
    statement: lines and orders as of one moment); None when there is none, or when a ref holds
    the separator (read them as rows then).

    Every order is read, not only those with an open line: picking them out is a semi-join of
    the orders with the million lines on the server (half of the statement's time at L), against
    a few milliseconds here, where the lines' orders are known. `ordered_at` comes as PostgreSQL
    sends a timestamp: microseconds since 2000-01-01, no EXTRACT (a numeric) per order. Each
    column is aggregated on the server once per line, the statement's cost: the lines' flags are
    not a column, but the ids of the few preorders and configured lines."""
    row = driver_row(conn, select(_lines_query().subquery(), _orders_query().subquery()))
    return None if row is None else _open_lines(row[:_LINE_COLUMNS], row[_LINE_COLUMNS:])


#: The byte strings `_lines_query` gives: five columns, then the preorders' and configured lines' ids.
_LINE_COLUMNS = 7


def _lines_query(pages: tuple[int | None, int | None] = (None, None)) -> Select[Any]:
    """The open lines' columns (`sent_column`); of the table's pages from the first to before the
    second of `pages` (None: from the start, to the end)."""
    ol = t.order_lines.c
    waiting = and_(ol.quantity > ol.allocated + ol.shipped + ol.cancelled, ol.kind != LineKind.DROPSHIP.value)
    units = ol.quantity - ol.allocated - ol.shipped - ol.cancelled
    preorders = sent_column(ol.id).filter(ol.kind == LineKind.PREORDER.value)
    configured = sent_column(ol.id).filter(ol.options != "")
    lines = select(
        *map(sent_column, (ol.order_id, ol.line_no, ol.item_id, units, ol.id)), preorders, configured
    ).where(waiting)
    # A range of pages is read by a TID range scan: the parts of one read share out the table.
    low, high = pages
    if low is not None:
        lines = lines.where(text(f"order_lines.ctid >= '({int(low)},0)'::tid"))
    if high is not None:
        lines = lines.where(text(f"order_lines.ctid < '({int(high)},0)'::tid"))
    return lines


def _orders_query() -> Select[Any]:
    """Every order's id, priority, `ordered_at` (`sent_column`) and ref (all refs in one string)."""
    so = t.sales_orders.c
    # The aggregates of one SELECT take its rows in one order, so the order columns line up.
    return select(
        sent_column(so.id),
        sent_column(so.priority),
        _sent(func.timestamp_send(so.ordered_at)),
        func.string_agg(so.order_ref, SEPARATOR),
    )


def _open_lines(lines: Sequence[Any], orders: Sequence[Any]) -> OpenLines | None:
    """The open lines of the byte strings of `_lines_query` and `_orders_query` (see
    `open_line_columns`)."""
    if lines[0] is None or orders[0] is None:
        return None
    order_id, line_no, item_id, line_units, line_id, preorder_ids, configured_ids = map(sent_int64s, lines)
    every_id, every_priority, stamps = map(sent_int64s, orders[:3])
    every_ref = str(orders[3]).split(SEPARATOR)
    if len(every_ref) != len(every_id) or _INFINITE in stamps or -_INFINITE - 1 in stamps:
        return None
    if len(order_id) > 1 and not bool(
        np.all(
            (order_id[1:] > order_id[:-1]) | ((order_id[1:] == order_id[:-1]) & (line_no[1:] > line_no[:-1]))
        )
    ):
        by_line = np.lexsort((line_no, order_id))
        order_id, line_no, item_id, line_units, line_id = (
            column[by_line] for column in (order_id, line_no, item_id, line_units, line_id)
        )
    by_id = np.argsort(every_id, kind="stable")
    sorted_ids = every_id[by_id]
    found = np.searchsorted(sorted_ids, order_id)
    if not (
        np.all(found < len(sorted_ids))
        and np.all(sorted_ids[np.minimum(found, len(sorted_ids) - 1)] == order_id)
    ):
        raise ValueError("a line's order was not read with it")
    # The lines' orders only, in id order (the lines follow it, so `found` never decreases).
    first = np.empty(len(found), dtype=np.bool_)
    first[:1] = True
    np.not_equal(found[1:], found[:-1], out=first[1:])
    picked = by_id[found[first]]
    flags = np.zeros(len(line_id), dtype=np.int64)
    for flag, ids in ((PREORDER, preorder_ids), (CONFIGURED, configured_ids)):
        if len(ids):
            flags[np.isin(line_id, ids)] |= flag
    return OpenLines(
        order=np.cumsum(first) - 1,
        line_no=line_no,
        item_id=item_id,
        units=line_units,
        line_id=line_id,
        flags=flags,
        order_id=every_id[picked],
        priority=every_priority[picked],
        at=stamps[picked] + _EPOCH_2000,
        order_refs=objects(every_ref, picked),
    )


#: A table of open lines at least this large (in pages of 8 kB) is read in two parts beside,
#: each on a connection of its own: two server processes share the statement's second at L.
SPLIT_PAGES = 2048


def open_lines_beside(conn: Connection, *, split_pages: int = SPLIT_PAGES) -> Future[OpenLines | None] | None:
    """`lines_as_of` this transaction's snapshot now (`snapshot_as_of`); None when this
    transaction wrote already (the others could not see it) or the database is not PostgreSQL:
    read them here then."""
    as_of = snapshot_as_of(conn)
    return None if as_of is None else lines_as_of(as_of, split_pages=split_pages)


@dataclass(frozen=True)
class AsOf:
    """This transaction's snapshot, exported for reads on connections of their own, and the size
    of the order lines' table in pages."""

    engine: Engine
    exported: str
    pages: int


def snapshot_as_of(conn: Connection) -> AsOf | None:
    """This transaction's snapshot now, exported; None when this transaction wrote already (the
    others could not see it) or the database is not PostgreSQL."""
    if conn.dialect.name != "postgresql":
        return None
    exported, wrote, pages = conn.execute(
        select(
            func.pg_export_snapshot(),
            func.pg_current_xact_id_if_assigned().is_not(None),
            func.pg_relation_size(t.order_lines.name) / 8192,
        )
    ).one()
    return None if wrote else AsOf(conn.engine, str(exported), int(pages))


def lines_as_of(as_of: AsOf, *, split_pages: int = SPLIT_PAGES) -> Future[OpenLines | None]:
    """`open_line_columns`, read on connections of their own while this one reads the rest of the
    snapshot, as of `as_of`.

    The statement is the snapshot's longest on the server (about a second at L), and the other
    reads (items, BOMs, supply: as long again, mostly in this process) need not wait for it. With
    `split_pages` pages of lines or more, the first two fifths of the table's pages are read with
    the orders and the rest beside them (PostgreSQL 15 aggregates these in one process only).
    """
    engine, exported, pages = as_of.engine, as_of.exported, as_of.pages
    reading = ThreadPoolExecutor(max_workers=2, thread_name_prefix="open-lines")
    try:
        if pages < split_pages:
            return reading.submit(_open_lines_as_of, engine, exported)
        # The first part reads the orders too (about a third of a half's time): it takes fewer pages.
        middle = pages * 2 // 5
        second = reading.submit(_row_as_of, engine, exported, _lines_query((middle, None)))
        return reading.submit(_joined, engine, exported, middle, second)
    finally:
        reading.shutdown(wait=False)


def read_as_of(as_of: AsOf, read: Callable[[Connection], T]) -> Future[T]:
    """`read` on a connection of its own, in a thread of its own, as of `as_of`."""
    reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-beside")
    try:
        return reading.submit(_read_as_of, as_of.engine, as_of.exported, read)
    finally:
        reading.shutdown(wait=False)


def _joined(
    engine: Engine, exported: str, middle: int, second: Future[Sequence[Any] | None]
) -> OpenLines | None:
    """The first half's lines and the orders, read here, joined with the second half's lines."""
    first = _row_as_of(
        engine, exported, select(_lines_query((None, middle)).subquery(), _orders_query().subquery())
    )
    rest = second.result()
    if first is None or rest is None:
        return None
    head, orders = first[:_LINE_COLUMNS], first[_LINE_COLUMNS:]
    return _open_lines([_joined_bytes(a, b) for a, b in zip(head, rest, strict=True)], orders)


def _joined_bytes(first: bytes | None, second: bytes | None) -> bytes | None:
    """Two parts' values of one column, one after the other (None: no value in either)."""
    if first is None or second is None:
        return second if first is None else first
    return first + second


def _row_as_of(engine: Engine, exported: str, query: Select[Any]) -> Sequence[Any] | None:
    """The query's row, as of snapshot `exported` (`_read_as_of`)."""
    return _read_as_of(engine, exported, lambda side: driver_row(side, query))


def _read_as_of(engine: Engine, exported: str, read: Callable[[Connection], T]) -> T:
    """`read` in a transaction of its own that sees what the transaction that exported snapshot
    `exported` saw (`SET TRANSACTION SNAPSHOT`: its first statement)."""
    if not re.fullmatch(r"[0-9A-F-]+", exported):
        raise ValueError(f"not an exported snapshot: {exported!r}")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as side, side.begin():
        side.execute(text(f"SET TRANSACTION SNAPSHOT '{exported}'"))
        with local_settings(side, jit="off"):
            return read(side)


def _open_lines_as_of(engine: Engine, exported: str) -> OpenLines | None:
    """`open_line_columns` in a transaction of its own that sees what the transaction that
    exported snapshot `exported` saw (`_row_as_of`)."""
    row = _row_as_of(engine, exported, select(_lines_query().subquery(), _orders_query().subquery()))
    return None if row is None else _open_lines(row[:_LINE_COLUMNS], row[_LINE_COLUMNS:])


def demands_of_columns(
    lines: OpenLines,
    sku_of: dict[int, str],
    release_of: dict[str, date],
    options_of: Callable[[list[int]], dict[int, str]],
) -> tuple[MadeOnDemand, DemandColumns]:
    """The demands of these lines (as `DemandQueries._demand_rows` makes them, but only when first
    asked for: `MadeOnDemand`), and their columns; `options_of` reads the options of configured
    lines by id."""
    item_ids, item = distinct(lines.item_id)
    names = list(map(sku_of.__getitem__, item_ids.tolist()))
    order = lines.order
    # Coded by the indexes they are gathered with: storing the plan (`kept_plan.pack`) then
    # codes them without looking each of a million texts up.
    refs: list[str] = CodedTexts.gathered(lines.order_refs, order)
    skus: list[str] = CodedTexts.gathered(names, item)
    line_nos: list[int] = lines.line_no.tolist()
    line_ids: list[int | None] = lines.line_id.tolist()
    release = None
    preorders = np.flatnonzero(lines.flags & PREORDER)
    if len(preorders):
        release = np.zeros(len(order), dtype=np.int64)
        for k in preorders.tolist():
            day = release_of.get(skus[k])
            release[k] = 0 if day is None else day.toordinal()
        if not release.any():
            release = None  # preorders of items not released later: no preorder to plan as one
    configured = np.flatnonzero(lines.flags & CONFIGURED).tolist()
    ids = lines.line_id[configured].tolist()
    chosen = options_of(ids) if configured else {}
    options = {k: chosen[line_id] for k, line_id in zip(configured, ids, strict=True)}
    made = _Made(lines, refs, line_nos, skus, line_ids, release, options)
    found = MadeOnDemand(len(order), made.demands)
    columns = DemandColumns(
        of=found,
        order=order,
        order_refs=lines.order_refs,
        priority=lines.priority,
        at=lines.at,
        sequence=lines.order_id,
        item=item,
        sku_names=names,
        line_no=lines.line_no,
        quantity=lines.units,
        refs=refs,
        line_nos=line_nos,
        skus=skus,
        line_ids=line_ids,
        release=release,
        options=options,
    )
    return found, columns


@dataclass(frozen=True)
class _Made:
    """What the demands of open lines are made of, column by column, when first asked for."""

    lines: OpenLines
    refs: list[str]
    line_nos: list[int]
    skus: list[str]
    line_ids: list[int | None]
    release: Ints | None
    options: dict[int, str]

    def demands(self) -> list[BackorderDemand]:
        """One `BackorderDemand` per line, each distinct quantity and time made once."""
        lines, n = self.lines, len(self.refs)
        order = lines.order
        values, back = distinct(lines.units)
        releases: Iterable[date | None] = repeat(None)
        if self.release is not None:
            releases = [None if day == 0 else date.fromordinal(day) for day in self.release.tolist()]
        options: Iterable[str] = repeat("")
        if self.options:
            options = [""] * n
            for k, chosen in self.options.items():
                options[k] = chosen
        return list(
            map(
                BackorderDemand,
                self.refs,
                self.line_nos,
                self.skus,
                objects([from_units(v) for v in values.tolist()], back),
                lines.priority[order].tolist(),
                objects(lines.at.astype("datetime64[us]").tolist(), order),
                lines.order_id[order].tolist(),
                releases,
                self.line_ids,
                options,
            )
        )


def known_items(lines: OpenLines, sku_of: dict[int, str]) -> bool:
    """Whether every line's item is among these (read before the lines, in another statement)."""
    return all(map(sku_of.__contains__, distinct(lines.item_id)[0].tolist()))


def packed_column(column: ColumnElement[Any]) -> ColumnElement[bytes]:
    """The column of every row as one BIGINT array, in PostgreSQL's binary form."""
    return func.array_send(func.array_agg(cast(column, BigInteger)), type_=LargeBinary)


def sent_column(column: ColumnElement[Any]) -> Function[Any]:
    """The column of every row as one byte string: each value as BIGINT sends it (`int8send`: 8
    bytes, big-endian), one after the other. Against `packed_column`, no array is built on the
    server, and a third less is sent (no length per value); NULL when there is no row."""
    return _sent(func.int8send(cast(column, BigInteger)))


def _sent(sent: ColumnElement[Any]) -> Function[Any]:
    """Each row's `sent` bytes (8 per row: an integer or a timestamp as PostgreSQL sends it), joined."""
    return func.string_agg(sent, literal(b"", LargeBinary), type_=LargeBinary)


def sent_int64s(sent: bytes | None) -> Ints:
    """The values of `sent_column` (none for NULL)."""
    if sent is None:
        return np.zeros(0, dtype=np.int64)
    return np.frombuffer(sent, dtype=">i8").astype(np.int64)


def int64s(packed: bytes) -> Ints:
    """The values of `array_send` of a one-dimensional BIGINT array without NULLs."""
    header = np.frombuffer(packed, dtype=">i4", count=_HEADER)
    ndim, has_nulls, _, size, _ = header.tolist()
    if ndim != 1 or has_nulls:
        raise ValueError("expected a one-dimensional array without NULLs")
    elements = np.frombuffer(packed, dtype=_ELEMENT, offset=4 * _HEADER, count=size)
    return elements["value"].astype(np.int64)
