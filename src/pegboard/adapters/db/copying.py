"""Many rows by PostgreSQL's COPY FROM STDIN, in the unit of work's own transaction.

A whole plan writes hundreds of thousands of rows at once (its promises, its queue and
suggestions). COPY takes them as one stream of text, with no statement per row and no parameter
to adapt: psycopg adapts a list of texts for `bulk.insert_rows`' arrays in Python, escaping each
one by a regular expression, which cost more than the executemany it replaced. Here each column
is turned into text on its own: ids by `str`, any other value once per distinct value, and a
column of texts with nothing to escape (the usual case) passes as it is.

The text is made a block of rows at a time while the server inserts the blocks before it: a
thread of psycopg's (`QueuedLibpqWriter`) sends the blocks made, so the server's inserting (most
of a whole plan's COPY) and the making of the next block's text go on together, on two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, insert

#: Rows given a block at a time, each block as columns.
Blocks = Iterable[Sequence[Sequence[Any]]]
#: Rows of COPY text sent per write.
CHUNK = 5000
_processors: dict[tuple[str, str, str], Callable[[Any], Any] | None] = {}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows (each with the same keys): COPY on PostgreSQL, an executemany elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    names = tuple(rows[0])
    copy_columns(conn, table.name, names, [_stored(conn, table, name, rows) for name in names])


def copy_columns(
    conn: Connection, table: str, names: Sequence[str], columns: Sequence[Sequence[Any]]
) -> None:
    """COPY into `table` the rows given as columns (one sequence per name, values as the database
    stores them: numbers, texts, dates, booleans, None) on the connection's own transaction."""
    copy_blocks(conn, table, names, blocks(columns))


def copy_blocks(conn: Connection, table: str, names: Sequence[str], rows: Blocks) -> None:
    """`copy_columns` for rows given a block at a time (each block as columns, one per name): each
    block is asked for only once the server has the blocks before it, so whatever makes them
    (a generator) works while the server inserts."""
    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL only: not loaded for SQLite

    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for block in rows:
                copy.write(block_text(block))


def copy_binary(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: Blocks,
    *,
    sent_as: Mapping[str, str] | None = None,
) -> None:
    """`copy_blocks` in COPY's binary format: psycopg writes each value by its column's type, in C,
    and the server takes numbers and dates as they come, where the text format has each value made
    into text here and parsed back there (at L's first plan, 792,670 promises: half the client's
    and half the server's work). The values must be of the types psycopg writes for the columns'
    types (an int for a bigint, a str for a text, a date for a date, None for NULL). `sent_as`
    names the type psycopg writes a column's values as, where it is not the column's own (a
    `uuid` sent as its 16 bytes: `bytea`): binary rows carry no types, the server reads each value
    as its column's."""
    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL only: not loaded for SQLite

    driver = conn.connection.driver_connection
    assert driver is not None
    types = [(sent_as or {}).get(name) or _type_name(conn, table, name) for name in names]
    with driver.cursor() as cursor:
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            copy.set_types(types)
            write = copy.write_row
            for block in rows:
                for row in zip(*block, strict=True):
                    write(row)


def _type_name(conn: Connection, table: Table, name: str) -> str:
    """The column's PostgreSQL type as psycopg names it (`VARCHAR(500)`: `varchar`)."""
    return str(table.c[name].type.compile(dialect=conn.dialect)).split("(")[0].lower()


def blocks(columns: Sequence[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    """Rows given as columns, a few thousand rows at a time (each block as columns)."""
    count = len(columns[0]) if columns else 0
    if any(len(column) != count for column in columns):
        raise ValueError("columns of different lengths")
    for start in range(0, count, CHUNK):
        yield [column[start : start + CHUNK] for column in columns]


def copy_text(columns: Sequence[Sequence[Any]]) -> Iterator[str]:
    """Rows given as columns in COPY's text format, a few thousand rows at a time."""
    return map(block_text, blocks(columns))


def block_text(columns: Sequence[Sequence[Any]]) -> str:
    """Rows given as columns in COPY's text format, each row ended by a line break."""
    if not columns or not columns[0]:
        return ""
    return "\n".join(map("\t".join, zip(*map(column_text, columns), strict=True))) + "\n"


def column_text(values: Sequence[Any]) -> list[str]:
    """One column's values in COPY's text format: None as \\N, a date in ISO, a text with its
    backslashes, tabs and line breaks escaped."""
    kinds = set(map(type, values))
    if kinds == {int}:  # ids and keys: nearly all distinct, nothing to escape
        return list(map(str, values))
    if kinds == {str} and not _special("".join(values)):
        return list(values)
    if len(kinds - {type(None)}) == 1:  # one type: equal values are written alike
        memo = {value: "\\N" if value is None else _text(value) for value in set(values)}
        return list(map(memo.__getitem__, values))
    # Mixed types (1 and 1.0 are equal keys but written differently): the type is in the key.
    typed = {(type(value), value): "\\N" if value is None else _text(value) for value in values}
    return [typed[type(value), value] for value in values]


def _special(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text.translate(_ESCAPES) if _special(text) else text


def _stored(conn: Connection, table: Table, name: str, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """One column's values as the database stores them (type decorators applied)."""
    key = (table.name, name, conn.dialect.name)
    if key not in _processors:
        _processors[key] = table.c[name].type.bind_processor(conn.dialect)
    process = _processors[key]
    if process is None:
        return [row[name] for row in rows]
    return [None if row[name] is None else process(row[name]) for row in rows]
