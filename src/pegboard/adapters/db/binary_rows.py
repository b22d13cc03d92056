"""Rows in PostgreSQL's binary COPY format, made a block of columns at a time.

psycopg's `Copy.write_row` encodes one row per call, value by value. Here a block is encoded by
columns, and each row's bytes are then joined from a few pieces in C (`bytes.join`):

- numbers and dates with no NULL go into one fixed-width record per row, made in NumPy, with the
  length of the text that follows them (a text's length is known only once it is encoded);
- a text column with no NULL is encoded by `str.encode`, value by value, in C;
- any other column (booleans, or holding NULLs) is encoded once per distinct value (a memo).

The bytes are those `write_row` gives for the same rows and column types
(`tests/integration/db/test_binary_rows.py`). The format: a signature (`SIGNATURE`), then per row
its number of fields (int16) and each field as its length (int32, -1 for NULL) and its bytes, all
big-endian; then the trailer (`TRAILER`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from datetime import date
from itertools import chain, repeat
from typing import Any

import numpy as np

#: What a binary COPY starts with: its signature, no flags, no header extension.
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
#: What ends a binary COPY: -1 as a field count.
TRAILER = b"\xff\xff"
#: The fixed-width types, as psycopg names them, and their NumPy types (big-endian).
_FIXED = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2", "date": ">i4"}
_TEXTS = frozenset({"text", "varchar"})
#: The types `BinaryRows` encodes (the others are left to psycopg).
TYPES = frozenset(_FIXED) | _TEXTS | {"boolean"}
_EPOCH = date(2000, 1, 1).toordinal()
_NULL = b"\xff\xff\xff\xff"
#: Distinct values kept encoded per memo column before its memo starts again.
MEMO = 100_000
#: A record's fields: (NumPy type, values) each.
_Fields = list[tuple[str, Any]]


class BinaryRows:
    """Blocks of rows of these column types (as psycopg names them) in binary COPY format, for
    `copy.write` (after `SIGNATURE`, before `TRAILER`)."""

    def __init__(self, types: Sequence[str], *, encoding: str = "utf-8") -> None:
        if unknown := set(types) - TYPES:
            raise ValueError(f"types not encoded here: {sorted(unknown)}")
        self.types, self.encoding = list(types), encoding
        #: Each column's fields by value, for the columns encoded once per distinct value.
        self.memos = [_Memo(kind, encoding) for kind in types]

    def __call__(self, columns: Sequence[Sequence[Any]]) -> bytes:
        """The rows given as columns (one per type, values as psycopg takes them for that type:
        an int, a str, a date, a bool, or None): the bytes `write_row` gives for them."""
        if len(columns) != len(self.types):
            raise ValueError("one column per type")
        count = len(columns[0]) if columns else 0
        if any(len(column) != count for column in columns):
            raise ValueError("columns of different lengths")
        if not count:
            return b""
        pieces: list[list[bytes]] = []
        record: _Fields = [(">i2", len(columns))]  # each row's field count, then fixed-width fields

        def end_record() -> None:
            if record:
                pieces.append(_records(record, count))
                record.clear()

        for k, (kind, column) in enumerate(zip(self.types, columns, strict=True)):
            fixed = _fixed(kind, column)
            if fixed is not None:
                record += [(">i4", np.dtype(_FIXED[kind]).itemsize), (_FIXED[kind], fixed)]
                continue
            encoded = _encoded(kind, column, self.encoding)
            if encoded is not None:
                record.append((">i4", np.fromiter(map(len, encoded), dtype=np.int64, count=count)))
                end_record()
                pieces.append(encoded)
                continue
            end_record()
            memo = self.memos[k]
            if len(memo) > MEMO:
                memo.clear()
            pieces.append(list(map(memo.__getitem__, column)))
        end_record()
        if len(pieces) == 1:
            return b"".join(pieces[0])
        return b"".join(chain.from_iterable(zip(*pieces, strict=True)))


def binary_block(types: Sequence[str], columns: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> bytes:
    """One block of rows given as columns in binary COPY format (`BinaryRows`)."""
    return BinaryRows(types, encoding=encoding)(columns)


def order_for_binary(types: Sequence[str], columns: Sequence[Sequence[Any]]) -> list[int]:
    """The columns' positions in the order `BinaryRows` encodes fastest (each kind in its order):
    numbers and dates with no NULL first (one record per row), then texts with no NULL (each
    after a record holding its length), then the others."""

    def rank(k: int) -> int:
        kind, column = types[k], columns[k]
        if None in set(column):
            return 2
        return 0 if kind in _FIXED else 1 if kind in _TEXTS else 2

    return sorted(range(len(types)), key=rank)


def _fixed(kind: str, column: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.int64]] | None:
    """A column of numbers, or of dates as days since 2000-01-01 (each distinct date worked out
    once); None when it is of another type or holds a NULL. OverflowError when a number does not
    fit its type."""
    if kind == "date":
        days = {day: None if day is None else day.toordinal() - _EPOCH for day in set(column)}
        if None in days:
            return None
        return np.fromiter(map(days.__getitem__, column), dtype=np.int64, count=len(column))
    if kind not in _FIXED:
        return None
    try:
        values = np.asarray(column, dtype=np.int64)
    except TypeError:  # a NULL
        return None
    info = np.iinfo(_FIXED[kind])
    if kind != "bigint" and (values.min() < info.min or values.max() > info.max):
        raise OverflowError(f"a number out of range for {kind}")
    return values


def _encoded(kind: str, column: Sequence[Any], encoding: str) -> list[bytes] | None:
    """A column of texts encoded, value by value; None when it is of another type or holds a NULL."""
    if kind not in _TEXTS:
        return None
    try:
        return list(map(str.encode, column, repeat(encoding, len(column))))
    except TypeError:  # a NULL
        return None


def _records(fields: _Fields, count: int) -> list[bytes]:
    """Each row's fixed-width fields, one bytes per row."""
    records = np.empty(count, dtype=np.dtype([(f"f{k}", kind) for k, (kind, _) in enumerate(fields)]))
    for k, (_, values) in enumerate(fields):
        records[f"f{k}"] = values
    # A record of unstructured bytes each: NumPy gives them as `bytes`, none cut short.
    return records.view(f"V{records.dtype.itemsize}").tolist()  # type: ignore[no-any-return]


class _Memo(dict[Any, bytes]):
    """Values' fields (length and bytes; NULL as length -1) for one column type, each made when
    first asked for."""

    def __init__(self, kind: str, encoding: str) -> None:
        super().__init__()
        self.data: Callable[[Any], bytes] = _DATA.get(kind) or (lambda value: value.encode(encoding))

    def __missing__(self, value: Any) -> bytes:
        if value is None:
            field = _NULL
        else:
            data = self.data(value)
            field = len(data).to_bytes(4, "big") + data
        self[value] = field
        return field


#: Each type's value as bytes, but for texts.
_DATA: dict[str, Callable[[Any], bytes]] = {
    "bigint": struct.Struct("!q").pack,
    "integer": struct.Struct("!i").pack,
    "smallint": struct.Struct("!h").pack,
    "date": lambda value: struct.pack("!i", value.toordinal() - _EPOCH),
    "boolean": lambda value: b"\x01" if value else b"\x00",
}
