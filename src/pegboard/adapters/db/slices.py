"""Long lists of values bound in slices, each small enough for one IN list, or on PostgreSQL
as one array."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from more_itertools import sliced
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Connection,
    Dialect,
    Integer,
    TypeDecorator,
    any_,
    bindparam,
    literal,
)
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
    which the driver spent seconds splitting and binding), integers sent as the array's text
    (`in_ids`); elsewhere an IN list per slice."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        if isinstance(column.type, Integer):
            yield in_ids(column, values, conn)
        else:
            yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for part in in_slices(values):
        yield column.in_(part)


def in_ids(column: ColumnElement[Any], ids: Sequence[int], conn: Connection) -> ColumnElement[bool]:
    """`column IN ids` as one condition; on PostgreSQL as `= ANY(array)`, one parameter however
    many ids (a scope reaching thousands of items spent seconds in the driver splitting expanded
    IN lists). On SQLite one IN list: for more ids than a statement may bind, `among`."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(array_text(ids), IdsText()))
    return column.in_(ids)


class IdsText(TypeDecorator[str]):
    """A BIGINT[] parameter given as its text, `{1,2,3}` (`array_text`): the driver dumps a list
    one element at a time, 0.1 s a query for 50,000 ids, against milliseconds to join them. The
    server reads it as the array itself (`$1::BIGINT[]`), so the array is still a constant to
    the planner (a `CAST` of text would be worked out again for every row)."""

    impl = ARRAY(BigInteger)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def array_text(ids: Sequence[int]) -> str:
    """Integers as PostgreSQL writes an array of them: `{1,2,3}`."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"
