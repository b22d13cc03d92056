"""What the planning snapshot's queries share: micro-units read as Decimals, and narrowing by ids or refs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    Dialect,
    Select,
    TypeDecorator,
    any_,
    literal,
)

from pegboard.domain.quantities import from_units


class Decimals:
    """Micro-units as Decimals (None stays None), each distinct value converted once."""

    def __init__(self) -> None:
        self.known: dict[int, Decimal] = {}

    def __call__(self, units: int) -> Decimal:
        found = self.known.get(units)
        if found is None:
            found = self.known[units] = from_units(int(units))
        return found

    def maybe(self, units: int | None) -> Decimal | None:
        return None if units is None else self(units)


Q = TypeVar("Q", bound=Select[Any])


def among_refs(query: Q, column: ColumnElement[Any], refs: Collection[str]) -> Q:
    """The query narrowed to a few refs; for many, one pass over every row is cheaper (filter after)."""
    return query.where(column.in_(sorted(refs))) if len(refs) <= 2000 else query


def among_items(query: Q, column: ColumnElement[Any], ids: list[int] | None, conn: Connection) -> Q:
    """Keep only rows of these items (all rows when `ids` is None)."""
    return query if ids is None else query.where(in_ids(column, ids, conn))


def driver_rows(
    conn: Connection, query: Select[Any], *, memory: str | None = None
) -> Sequence[tuple[Any, ...]]:
    """The query's rows; on PostgreSQL the driver's own tuples, with no SQLAlchemy row made per row
    (a whole snapshot reads every open line: a million at a large shop). Only for columns the
    database hands over as they are (integers, text, timestamps; micro-units as BigInteger).

    With `memory` (a `work_mem`, such as "256MB"), PostgreSQL sorts and hashes in that much
    memory for this query only, then goes back to its setting."""
    if conn.dialect.name != "postgresql":
        return conn.execute(query).all()
    # Expanding IN lists (some orders' refs) rendered as plain parameters for the driver.
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        if memory is not None:
            cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", (memory,))
            found = cursor.fetchone()
            assert found is not None
        cursor.execute(compiled.string, compiled.params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        if memory is not None:
            cursor.execute("SELECT set_config('work_mem', %s, true)", (found[0],))
    return rows


def in_ids(column: ColumnElement[Any], ids: list[int], conn: Connection) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter however many ids (a scope
    reaching thousands of items spent seconds in the driver splitting expanded IN lists)."""
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
