"""Long lists of values bound in slices, each small enough for one IN list, or on PostgreSQL
as one array."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from more_itertools import sliced
from sqlalchemy import ARRAY, Connection, any_, bindparam
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

#: Values bound in one IN list at most: PostgreSQL takes 65,535 parameters per statement and
#: SQLite 32,766, and a statement may name a list twice.
IN_SLICE = 10_000


def in_slices(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """The values in slices small enough to bind in one IN list."""
    yield from sliced(values, IN_SLICE)


def among(
    conn: Connection, column: ColumnElement[Any], values: Sequence[Any]
) -> Iterator[ColumnElement[bool]]:
    """Conditions that together pick the rows whose `column` is one of `values` (none for no
    values): on PostgreSQL one `= ANY(array)`, a single parameter however many values (confirming
    a plan's 62,517 suggestions named their refs and SKUs in IN lists of 10,000 placeholders each,
    which the driver spent seconds splitting and binding); elsewhere an IN list per slice."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for part in in_slices(values):
        yield column.in_(part)
