"""Many rows by PostgreSQL's COPY FROM STDIN, in the unit of work's own transaction.

A whole plan writes hundreds of thousands of rows at once (its promises, its queue and
suggestions). COPY takes them as one stream of text, with no statement per row and no parameter
to adapt: psycopg adapts a list of texts for `bulk.insert_rows`' arrays in Python, escaping each
one by a regular expression, which cost more than the executemany it replaced. Here each column
is turned into text on its own: ids by `str`, any other value once per distinct value, and a
column of texts with nothing to escape (the usual case) passes as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from more_itertools import sliced
from sqlalchemy import Connection, Table, insert

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
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for chunk in copy_text(columns):
                copy.write(chunk)


def copy_text(columns: Sequence[Sequence[Any]]) -> Iterator[str]:
    """Rows given as columns in COPY's text format, a few thousand rows at a time."""
    lines = list(map("\t".join, zip(*map(column_text, columns), strict=True)))
    for some in sliced(lines, CHUNK):
        yield "\n".join(some) + "\n"


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
