"""Make a table's rows equal to wanted ones by writing only the difference.

A stored plan is mostly what it was: a re-plan after a few orders moves a few queue entries and
suggestions out of thousands. Reading the rows back and comparing them in memory costs far less
than deleting and inserting all of them (and their indexes) on every plan run. The rows to
insert go by COPY on PostgreSQL (`copying.copy_rows`; given as columns, `copying.copy_binary`):
a first plan inserts every one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from more_itertools import sliced
from sqlalchemy import ARRAY, ColumnElement, Connection, Table, all_, any_, bindparam, delete, insert, select

from pegboard.adapters.db.copying import blocks, copy_binary, copy_rows

#: Rows given as columns: each column's name and its values, one per row.
Columns = Mapping[str, Sequence[Any]]


def sync_rows(
    conn: Connection,
    table: Table,
    wanted: Sequence[Mapping[str, Any]],
    *,
    key: str,
    where: ColumnElement[bool],
) -> int:
    """Leave exactly the `wanted` rows among the rows of `table` matching `where`, matched by
    their `key` column; returns how many rows were deleted or inserted.

    A stored row equal to its wanted row (every column the wanted rows name) stays untouched;
    one that differs is replaced, one not wanted is deleted, a new one inserted.
    """
    others = [c for c in wanted[0] if c != key] if wanted else []
    query = select(table.c[key], *(table.c[c] for c in others)).where(where)
    stored = {row[0]: tuple(row[1:]) for row in conn.execute(query)}
    fresh, replaced = [], []
    for row in wanted:
        before = stored.pop(row[key], None)
        if before != tuple(row[c] for c in others):
            fresh.append(row)
            if before is not None:
                replaced.append(row[key])
    gone = [*stored, *replaced]  # what is left in `stored` is not wanted any more
    for some in sliced(gone, 1000):
        conn.execute(delete(table).where(where, table.c[key].in_(some)))
    if fresh:
        copy_rows(conn, table, fresh)
    return len(gone) + len(fresh)


@dataclass(frozen=True)
class RowChanges:
    """What makes the rows of `table` matching `where` the wanted ones: the keys of those to
    delete (`gone`; the others' keys `staying`) and the rows to insert, as columns."""

    table: Table
    key: str
    where: ColumnElement[bool]
    gone: Sequence[Any]
    staying: Sequence[Any]
    fresh: Columns


def known_changes(
    table: Table,
    *,
    key: str,
    where: ColumnElement[bool],
    stored: Mapping[Any, Any],
    wanted: Mapping[Any, Any],
    columns: Callable[[list[Any], list[Any]], Columns],
) -> RowChanges:
    """What makes the rows of `table` matching `where` the wanted ones, when the caller knows what
    they hold: `stored` maps each key of those rows to the value they were written from, `wanted`
    each wanted key to its value, and `columns(keys, values)` gives those values' rows as columns.
    Nothing is read (`write_changes` writes them): a plan's save has them made while its
    connection writes something else.

    The rule it rests on: a row written from `(k, v)` stays as it was until this writes it
    again, and equal values give equal rows (the caller's values hold whatever tells two rows
    apart), so a key whose value is unchanged needs no write; only the other rows are deleted
    and inserted, and only changed values are turned into rows.
    """
    staying = [k for k, v in stored.items() if k in wanted and wanted[k] == v]
    gone = [k for k, v in stored.items() if k not in wanted or wanted[k] != v]
    fresh = [k for k, v in wanted.items() if k not in stored or stored[k] != v]
    rows = columns(fresh, [wanted[k] for k in fresh]) if fresh else {}
    return RowChanges(table, key, where, gone, staying, rows)


def write_changes(conn: Connection, changes: RowChanges) -> None:
    """Delete the rows `changes` says are gone, then insert its fresh ones."""
    delete_keys(
        conn, changes.table, key=changes.key, where=changes.where, keys=changes.gone, staying=changes.staying
    )
    insert_columns(conn, changes.table, changes.fresh)


def delete_keys(
    conn: Connection,
    table: Table,
    *,
    key: str,
    where: ColumnElement[bool],
    keys: Sequence[Any],
    staying: Sequence[Any],
) -> None:
    """Delete the rows matching `where` whose `key` is one of `keys`; `staying` holds the keys of
    the other rows matching `where`. When those are fewer (the next day's plan, whose dates
    nearly all moved), the rows go as all but them, by one statement naming the few that stay.
    On PostgreSQL keys go as one array parameter per 50,000: each IN list of a thousand was a
    pass over the plan's rows (the next day deletes nearly all of 90k suggestions at L)."""
    if not keys:
        return
    if not staying:
        conn.execute(delete(table).where(where))
        return
    column = table.c[key]
    postgres = conn.dialect.name == "postgresql"
    # Keys named by one statement: an array parameter on PostgreSQL, an IN list on SQLite.
    at_once = 50_000 if postgres else 1000
    if len(staying) < len(keys) and len(staying) <= at_once:
        if postgres:
            kept = bindparam("kept", list(staying), type_=ARRAY(column.type))
            conn.execute(delete(table).where(where, column != all_(kept)))
        else:
            conn.execute(delete(table).where(where, column.not_in(list(staying))))
        return
    for some in sliced(keys, at_once):
        if postgres:
            some_keys = bindparam("keys", some, type_=ARRAY(column.type))
            conn.execute(delete(table).where(where, column == any_(some_keys)))
        else:
            conn.execute(delete(table).where(where, column.in_(some)))


def insert_columns(conn: Connection, table: Table, columns: Columns) -> None:
    """Insert the rows given as columns: COPY on PostgreSQL, each column's distinct values put in
    the database's form once (a queue's quantities repeat), an executemany elsewhere. The COPY is
    binary (`copying.copy_binary`): the server reads ranks, quantities and dates as they come, no
    text of them parsed (at L's first plan, 62k queue entries and 90k suggestions: a tenth of the
    server's COPY, and half the client's, BENCHMARKS.md "save5")."""
    if not next(iter(columns.values()), ()):
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows_of(columns))
        return
    stored = [_stored(conn, table.c[name].type, values) for name, values in columns.items()]
    copy_binary(conn, table, list(columns), blocks(stored))


def rows_of(columns: Columns) -> list[dict[str, Any]]:
    """The rows given as columns, each as a mapping of column names to values."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _stored(conn: Connection, column_type: Any, values: Sequence[Any]) -> Sequence[Any]:
    """The values as the column's type stores them, each distinct one converted once (of each
    type: 1 and 1.0 are equal keys, and a type may write them differently)."""
    process = column_type.bind_processor(conn.dialect)
    if process is None:
        return values
    keys = list(zip(map(type, values), values, strict=True))
    memo = {key: None if key[1] is None else process(key[1]) for key in set(keys)}
    return list(map(memo.__getitem__, keys))
