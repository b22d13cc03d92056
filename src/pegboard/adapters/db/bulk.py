"""Many rows in one INSERT: on PostgreSQL one statement over column arrays, elsewhere executemany.

A multi-row `INSERT ... VALUES (...), (...)` has a different text for every number of rows, so
psycopg parses each one again and PostgreSQL plans each one again; an executemany runs one
INSERT per row. `INSERT INTO t (a, b) SELECT * FROM unnest(%s::bigint[], %s::text[])` is one
fixed text whatever the number of rows: psycopg prepares it once per connection and the server
inserts every row in one execution. This is the path of every order taken (`SqlOrders.add_many`,
the outbox, Shopify's bookkeeping), so its cost is paid hundreds of times a second.

The arrays go in binary (psycopg's `%b`): the text format escapes every text and writes every
date of an array one element at a time in Python, which for confirming a plan's 62,517
suggestions (their refs, statuses and dates) cost more than a second of the client's time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect

_Key = tuple[str, tuple[str, ...], tuple[str, ...], str | None]
_statements: dict[_Key, str] = {}
_processors: dict[tuple[str, str, str], Callable[[Any], Any] | None] = {}


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[str] = (),
    skip_conflicts_on: str | None = None,
) -> list[tuple[Any, ...]]:
    """Insert the rows (each with the same keys); the `returning` columns of the rows written.

    With `skip_conflicts_on` (a unique column), a row whose value is taken is left out (ON
    CONFLICT DO NOTHING) and returns nothing. Rows come back in no promised order: return a
    key with them.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        statement: Any = (
            sqlite.insert(table).on_conflict_do_nothing(index_elements=[skip_conflicts_on])
            if skip_conflicts_on
            else insert(table)
        )
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
            return [tuple(row) for row in conn.execute(statement, list(rows))]
        conn.execute(statement, list(rows))
        return []
    arrays = tuple(_column(conn.dialect, table, name, rows) for name in columns)
    sql = _statement(conn.dialect, table, columns, tuple(returning), skip_conflicts_on)
    result = conn.exec_driver_sql(sql, arrays)
    return [tuple(row) for row in result] if returning else []


def _column(dialect: Dialect, table: Table, name: str, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """One column's values as the database stores them (type decorators applied)."""
    key = (table.name, name, dialect.name)
    if key not in _processors:
        _processors[key] = table.c[name].type.bind_processor(dialect)
    process = _processors[key]
    if process is None:
        return [row[name] for row in rows]
    return [None if row[name] is None else process(row[name]) for row in rows]


def _statement(
    dialect: Dialect, table: Table, columns: tuple[str, ...], returning: tuple[str, ...], skip: str | None
) -> str:
    key = (table.name, columns, returning, skip)
    if key not in _statements:
        quote = dialect.identifier_preparer.quote
        arrays = ", ".join(f"%b::{table.c[name].type.compile(dialect=dialect)}[]" for name in columns)
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
            f"SELECT * FROM unnest({arrays})"
        )
        if skip:
            sql += f" ON CONFLICT ({quote(skip)}) DO NOTHING"
        if returning:
            sql += f" RETURNING {', '.join(quote(name) for name in returning)}"
        _statements[key] = sql
    return _statements[key]
