"""A block of rows encoded by columns (`binary_rows.BinaryRows`) is byte for byte what psycopg's
`Copy.write_row` writes for the same rows: NULLs, empty and non-ASCII texts, dates before 2000,
negative numbers, whatever the columns' order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg import pq
from psycopg._copy_base import BinaryFormatter
from psycopg.adapt import Transformer
from psycopg.postgres import adapters

from pegboard.adapters.db.binary_rows import SIGNATURE, TRAILER, BinaryRows, binary_block, order_for_binary

PROMISE_TYPES = ["bigint", "date", "varchar", "varchar", "text", "bigint", "date", "date", "date", "bigint"]


def psycopg_copy(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """What `Copy.write_row` sends for these rows of these column types (after `set_types`)."""
    transformer = Transformer()
    transformer.set_dumper_types([adapters.types[kind].oid for kind in types], pq.Format.BINARY)
    formatter = BinaryFormatter(transformer)
    sent = bytearray()
    for row in rows:
        sent += formatter.write_row(row)
    sent += formatter.end()
    return bytes(sent)


def encoded(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in types]
    return SIGNATURE + binary_block(types, columns) + TRAILER


def test_promise_rows_encode_as_psycopg_writes_them() -> None:
    """NULL dates, empty and non-ASCII texts, a date before 2000, negative and large keys."""
    rows = [
        (1, date(2026, 12, 4), "in stock", "stock", "[]", -(2**63), date(2026, 12, 1), None, date(1999, 12, 31), 7),
        (2, None, "", "", "", 2**63 - 1, date(2026, 12, 1), date(1970, 1, 1), date(2000, 1, 1), 0),
        (3, date(1900, 2, 28), "ships with the chair, 10 März", "po", "[{\"a\": \"ü€😀\"}]", 0, date(1, 1, 1), None,
         date(9999, 12, 31), -5),
    ] * 3
    assert encoded(PROMISE_TYPES, rows) == psycopg_copy(PROMISE_TYPES, rows)


def test_a_block_in_the_order_for_binary_encodes_as_psycopg_writes_it() -> None:
    """Numbers first, then texts, then the nullable columns: the same bytes as psycopg for that order."""
    days = [date(2026, 12, 1) + timedelta(days=k % 40) for k in range(300)]
    columns: list[list[Any]] = [
        list(range(300)),
        [None if k % 7 == 0 else days[k] for k in range(300)],
        [f"reason {k % 13} é" for k in range(300)],
        ["stock" if k % 2 else "" for k in range(300)],
        [f"[{k}]" for k in range(300)],
        [k * -(10**12) for k in range(300)],
        days,
        [None if k % 5 == 0 else days[k] for k in range(300)],
        days,
        [k % 17 for k in range(300)],
    ]
    order = order_for_binary(PROMISE_TYPES, columns)
    assert order == [0, 5, 6, 8, 9, 2, 3, 4, 1, 7]
    types = [PROMISE_TYPES[k] for k in order]
    picked = [columns[k] for k in order]
    encode = BinaryRows(types)
    blocks = b"".join(encode([column[start : start + 100] for column in picked]) for start in (0, 100, 200))
    assert SIGNATURE + blocks + TRAILER == psycopg_copy(types, list(zip(*picked, strict=True)))


def test_integers_and_booleans_encode_as_psycopg_writes_them() -> None:
    """Integer and smallint numbers, booleans, and NULLs among numbers."""
    types = ["integer", "smallint", "boolean", "bigint", "integer"]
    rows = [(-(2**31), 2**15 - 1, True, None, 1), (2**31 - 1, -(2**15), False, 5, None), (0, 0, None, -1, -1)]
    assert encoded(types, rows) == psycopg_copy(types, rows)


def test_a_number_too_large_for_its_column_is_refused() -> None:
    with pytest.raises(OverflowError):
        binary_block(["integer"], [[2**31]])


def test_a_type_not_encoded_here_is_refused() -> None:
    with pytest.raises(ValueError, match="numeric"):
        BinaryRows(["bigint", "numeric"])


def test_no_rows_encode_as_nothing() -> None:
    assert binary_block(PROMISE_TYPES, [[] for _ in PROMISE_TYPES]) == b""


@given(
    st.lists(
        st.tuples(
            st.integers(-(2**63), 2**63 - 1),
            st.none() | st.dates(),
            st.text(),
            st.none() | st.text(),
            st.none() | st.integers(-(2**63), 2**63 - 1),
            st.none() | st.booleans(),
        ),
        max_size=30,
    )
)
def test_any_rows_encode_as_psycopg_writes_them(rows: list[tuple[Any, ...]]) -> None:
    types = ["bigint", "date", "text", "varchar", "bigint", "boolean"]
    rows = [row for row in rows if "\x00" not in row[2] and "\x00" not in (row[3] or "")]
    assert encoded(types, rows) == psycopg_copy(types, rows)
