"""Make a table's rows equal to wanted ones by writing only the difference.

A stored plan is mostly what it was: a re-plan after a few orders moves a few queue entries and
suggestions out of thousands. Reading the rows back and comparing them in memory costs far less
than deleting and inserting all of them (and their indexes) on every plan run. The rows to
insert go by COPY on PostgreSQL (`copying.copy_rows`): a first plan inserts every one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from more_itertools import sliced
from sqlalchemy import ARRAY, ColumnElement, Connection, Table, any_, bindparam, delete, select

from pegboard.adapters.db.copying import copy_rows


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


def sync_known_rows(
    conn: Connection,
    table: Table,
    *,
    key: str,
    where: ColumnElement[bool],
    stored: Mapping[Any, Any],
    wanted: Mapping[Any, Any],
    row: Callable[[Any, Any], Mapping[str, Any]],
) -> int:
    """As `sync_rows`, when the caller knows what the rows hold: `stored` maps each key of the
    rows matching `where` to the value they were written from, `wanted` each wanted key to its
    value, and `row(key, value)` gives a value's row. Nothing is read back.

    The rule it rests on: a row written by `row(k, v)` stays as it was until this writes it
    again, and equal values give equal rows (the caller's values hold whatever tells two rows
    apart), so a key whose value is unchanged needs no write; only the other rows are deleted
    and inserted, and only changed values are turned into rows.
    """
    gone = [k for k, v in stored.items() if k not in wanted or wanted[k] != v]
    fresh = [row(k, v) for k, v in wanted.items() if k not in stored or stored[k] != v]
    delete_keys(conn, table, key=key, where=where, keys=gone, every=len(gone) == len(stored))
    if fresh:
        copy_rows(conn, table, fresh)
    return len(gone) + len(fresh)


def delete_keys(
    conn: Connection, table: Table, *, key: str, where: ColumnElement[bool], keys: list[Any], every: bool
) -> None:
    """Delete the rows matching `where` whose `key` is one of `keys`; `every`: those are all the
    rows matching `where` (the next day's plan, whose every date moved), deleted by one statement
    instead of lists of a thousand keys. On PostgreSQL the keys go as one array parameter per
    50,000: each IN list of a thousand was a pass over the plan's rows (the next day deletes
    nearly all of 90k suggestions at L: 90 passes)."""
    if every and keys:
        conn.execute(delete(table).where(where))
        return
    column = table.c[key]
    if conn.dialect.name == "postgresql":
        for some in sliced(keys, 50_000):
            conn.execute(
                delete(table).where(where, column == any_(bindparam("keys", some, type_=ARRAY(column.type))))
            )
        return
    for some in sliced(keys, 1000):
        conn.execute(delete(table).where(where, column.in_(some)))
