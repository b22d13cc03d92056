"""What the planning snapshot's queries share: micro-units read as Decimals, and narrowing by ids or refs."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    func,
    select,
)

from pegboard.adapters.db.slices import in_ids
from pegboard.domain.quantities import from_units

V = TypeVar("V")
W = TypeVar("W")


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

    def column(self, units: Iterable[int]) -> list[Decimal]:
        """Each of these, looked up by C code: no call per value (for the snapshot's 100k items
        and 62k MOs, the calls cost more than the conversions)."""
        return _each_distinct_once(units, self)

    def maybe_column(self, units: Iterable[int | None]) -> list[Decimal | None]:
        """As `column`, None staying None."""
        return _each_distinct_once(units, self.maybe)


def _each_distinct_once(values: Iterable[V], convert: Callable[[V], W]) -> list[W]:
    """`convert` of each value, called once per distinct value."""
    values = list(values)
    known = {value: convert(value) for value in set(values)}
    return list(map(known.__getitem__, values))


Q = TypeVar("Q", bound=Select[Any])


def among_refs(query: Q, column: ColumnElement[Any], refs: Collection[str]) -> Q:
    """The query narrowed to a few refs; for many, one pass over every row is cheaper (filter after)."""
    return query.where(column.in_(sorted(refs))) if len(refs) <= 2000 else query


def among_items(query: Q, column: ColumnElement[Any], ids: list[int] | None, conn: Connection) -> Q:
    """Keep only rows of these items (all rows when `ids` is None)."""
    return query if ids is None else query.where(in_ids(column, ids, conn))


def driver_rows(conn: Connection, query: Select[Any]) -> Sequence[tuple[Any, ...]]:
    """The query's rows; on PostgreSQL the driver's own tuples, with no SQLAlchemy row made per row
    (a whole snapshot reads every open line: a million at a large shop). Only for columns the
    database hands over as they are (integers, text, timestamps; micro-units as BigInteger)."""
    if conn.dialect.name != "postgresql":
        return conn.execute(query).all()
    # Expanding IN lists (some orders' refs) rendered as plain parameters for the driver.
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(compiled.string, compiled.params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def driver_value(conn: Connection, query: Select[Any]) -> Any:
    """The first column of the query's first row (None when there is none); on PostgreSQL read in
    the driver's binary format, so that a large byte string (a kept plan: tens of megabytes at a
    large shop) is not written out by the server and read back by the driver as hex text."""
    if conn.dialect.name != "postgresql":
        return conn.execute(query).scalar()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor(binary=True) as cursor:
        cursor.execute(compiled.string, compiled.params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def driver_row(conn: Connection, query: Select[Any]) -> tuple[Any, ...] | None:
    """The query's first row (None when there is none), read on PostgreSQL in the driver's binary
    format (`driver_value`)."""
    if conn.dialect.name != "postgresql":
        first = conn.execute(query).first()
        return None if first is None else tuple(first)
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor(binary=True) as cursor:
        cursor.execute(compiled.string, compiled.params)
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


@contextmanager
def local_settings(conn: Connection, **settings: str) -> Iterator[None]:
    """On PostgreSQL, the queries inside run with these settings (`jit="off"`, `work_mem="256MB"`),
    then the transaction's own come back (after an error the transaction is rolled back, and they
    with it); elsewhere nothing changes."""
    if conn.dialect.name != "postgresql":
        yield
        return
    names = list(settings)
    was = conn.execute(select(*(func.current_setting(name) for name in names))).one()
    _set_locally(conn, settings)
    yield
    _set_locally(conn, dict(zip(names, was, strict=True)))


def _set_locally(conn: Connection, settings: dict[str, str]) -> None:
    """These settings for the rest of the transaction (`set_config(..., is_local => true)`)."""
    conn.execute(select(*(func.set_config(name, value, True) for name, value in settings.items())))
