"""A whole plan as bytes and back, so that a plan run on inputs nobody changed since the stored
plan answers with it instead of planning again (`services.planning.run_plan`).

Only speed rests on it: the bytes hold every field of a `PlanResult`, and `unpack(pack(r))` is
the same plan (the same `pegboard plan --json`). Everything is kept as columns, as the engine
gives its promises (`planning.promise_table`): NumPy arrays for numbers, a list of distinct
values and an index array for repeated texts, and one JSON list per field of the suggestions
and the queue, each distinct value read back once. All of it goes in one `.npz` (deflated), read
back without pickle. Bytes of another format (`FORMAT`) unpack to None: the caller plans again.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np
from numpy.typing import NDArray

from pegboard.planning.coded import CodedTexts, coding
from pegboard.planning.collector import collector_paused
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import (
    AdjustedDate,
    FeasibleDates,
    PlanResult,
    ProductionSuggestion,
    Promise,
    PurchaseSuggestion,
    QueueEntry,
)
from pegboard.planning.segments import Ints
from pegboard.planning.values import objects

#: Bumped whenever what `pack` writes changes; older bytes then unpack to None.
FORMAT = 2

#: The `PlanResult` fields that are lists of named tuples, and the tuple each holds.
_LISTS: dict[str, type[Any]] = {
    "purchase_suggestions": PurchaseSuggestion,
    "production_suggestions": ProductionSuggestion,
    "production_queue": QueueEntry,
    "feasible_mos": FeasibleDates,
    "adjusted_dates": AdjustedDate,
}
#: The promise table's integer columns (`stated` only when a day was adjusted).
_NUMBERS = ("line", "quantity", "day", "wording")
#: Its input-line columns of texts, kept as distinct values and an index.
_TEXTS = ("refs", "skus")


def pack(result: PlanResult) -> bytes:
    """The plan as bytes for `unpack` (the collector paused, as in `unpack`)."""
    with collector_paused():
        return _pack(result)


def _pack(result: PlanResult) -> bytes:
    table = _as_table(result.promises)
    arrays: dict[str, Ints] = {name: getattr(table, name) for name in _NUMBERS}
    if not table.unadjusted:
        arrays["stated"] = table.stated
    meta: dict[str, Any] = {
        "format": FORMAT,
        "reasons": table.reasons,
        "bases": table.bases,
        "extra": _columns(Promise, table.extra),
        **{name: _columns(kind, getattr(result, name)) for name, kind in _LISTS.items()},
        # Which of those the engine gave as tuples, so the plan read back compares equal.
        "tuples": [name for name in _LISTS if isinstance(getattr(result, name), tuple)],
    }
    for name in _TEXTS:
        meta[name], arrays[name] = coding(getattr(table, name))
    arrays["line_nos"] = np.asarray(table.line_nos, dtype=np.int64)
    arrays["line_ids"] = np.asarray([-1 if i is None else i for i in table.line_ids], dtype=np.int64)
    out = io.BytesIO()
    members: dict[str, Any] = {name: _narrowest(values) for name, values in arrays.items()}
    members["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(out, **members)
    # Deflate at its fastest level: a quarter of the bytes, for less time than moving the rest.
    return zlib.compress(out.getvalue(), 1)


def unpack(data: bytes) -> PlanResult | None:
    """The plan `pack` gave these bytes; None when they are of another format.

    Like planning, reading a plan back makes many small objects and no reference cycles: the
    collector is paused meanwhile (`collector.collector_paused`)."""
    with collector_paused():
        return _unpack(data)


def _unpack(data: bytes) -> PlanResult | None:
    read = _read(data)
    if read is None:
        return None
    meta, arrays = read
    lists: dict[str, Sequence[Any]] = {}
    for name, kind in _LISTS.items():
        rows = _rows(kind, meta[name])
        lists[name] = tuple(rows) if name in meta["tuples"] else rows
    return PlanResult(_promises(meta, arrays), **lists)


def unpack_promises(data: bytes) -> PromiseTable | None:
    """Only the promises of the plan `pack` gave these bytes (`PlanResult.promises`, as a
    table); None when they are of another format."""
    with collector_paused():
        read = _read(data)
        return None if read is None else _promises(*read)


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, Ints]] | None:
    """The JSON part and the arrays of `pack`'s bytes; None when they are of another format."""
    with np.load(io.BytesIO(zlib.decompress(data)), allow_pickle=False) as stored:
        meta = json.loads(stored["meta"].tobytes())
        if meta.get("format") != FORMAT:
            return None
        return meta, {name: stored[name].astype(np.int64) for name in stored.files if name != "meta"}


def _promises(meta: dict[str, Any], arrays: dict[str, Ints]) -> PromiseTable:
    ids = arrays["line_ids"]
    return PromiseTable(
        # Coded as stored, so that storing this plan (or one merged from it) again codes only
        # the texts added (`planning.coded`).
        refs=CodedTexts.decoded(meta["refs"], arrays["refs"]),
        line_nos=arrays["line_nos"].tolist(),
        skus=CodedTexts.decoded(meta["skus"], arrays["skus"]),
        line_ids=objects([None, *ids[ids >= 0].tolist()], np.where(ids >= 0, np.cumsum(ids >= 0), 0)),
        reasons=meta["reasons"],
        bases=meta["bases"],
        extra=_rows(Promise, meta["extra"]),
        stated=arrays.get("stated"),
        **{name: arrays[name] for name in _NUMBERS},
    )


def _as_table(promises: Sequence[Promise]) -> PromiseTable:
    """The promises as a table: the engine's own, or (a plan built by hand) all as extras."""
    if isinstance(promises, PromiseTable):
        return promises
    empty = np.zeros(0, dtype=np.int64)
    return PromiseTable(
        refs=[],
        line_nos=[],
        skus=[],
        line_ids=[],
        line=empty,
        quantity=empty,
        day=empty,
        wording=empty,
        reasons=[],
        bases=[],
        extra=list(promises),
    )


def _narrowest(values: Ints) -> NDArray[np.signedinteger[Any]]:
    """The same integers in the narrowest of int16, int32 and int64 that holds them all."""
    for kind in (np.int16, np.int32):
        limits = np.iinfo(kind)
        if len(values) == 0 or (values.min() >= limits.min and values.max() <= limits.max):
            return values.astype(kind)
    return values


def _columns(kind: type[Any], rows: Sequence[Any]) -> dict[str, Any]:
    """Named tuples of `kind` as one list of JSON values per field; a field that holds named
    tuples itself (a queue entry's `missing`) as each row's count and their own columns."""
    columns: dict[str, Any] = {"count": len(rows)}
    for name, values in zip(kind._fields, zip(*rows, strict=True) if rows else repeat(()), strict=False):
        inner = _nested(_hints(kind)[name])
        if inner is None:
            columns[name] = _plain_column(values)
        else:
            columns[name] = {
                "counts": [len(v) for v in values],
                **_columns(inner, [m for v in values for m in v]),
            }
    return columns


def _rows(kind: type[Any], columns: dict[str, Any]) -> list[Any]:
    """The named tuples `_columns` gave these columns."""
    hints = _hints(kind)
    read: list[list[Any]] = []
    for name in kind._fields:
        inner = _nested(hints[name])
        if inner is None:
            read.append(_read_column(hints[name], columns[name]))
        else:
            flat, counts = _rows(inner, columns[name]), columns[name]["counts"]
            starts = np.r_[0, np.cumsum(counts)].tolist()
            read.append([tuple(flat[a:b]) for a, b in zip(starts, starts[1:], strict=False)])
    return list(map(tuple.__new__, repeat(kind), zip(*read, strict=True))) if read else []


def _hints(kind: type[Any]) -> dict[str, Any]:
    """A named tuple's field types (its annotations are text: evaluated once per kind)."""
    hints = _HINTS.get(kind)
    if hints is None:
        hints = _HINTS[kind] = get_type_hints(kind)
    return hints


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _nested(hint: Any) -> type[Any] | None:
    """The named tuple a `tuple[X, ...]` field holds, or None for any other field."""
    if get_origin(hint) is tuple:
        inner = get_args(hint)[0]
        if isinstance(inner, type) and hasattr(inner, "_fields"):
            return inner
    return None


def _plain_column(values: Sequence[Any]) -> list[Any]:
    """A column's values as JSON holds them: Decimals as text, dates as ISO, tuples (of texts) as
    lists; each distinct value converted once, and a column JSON writes as it is (texts, numbers,
    tuples of texts: `json.dumps` writes a tuple as a list) left as it is."""
    kinds = set(map(type, values))
    # Equal values of two number types (1, 1.0, True) would share the first one's JSON below.
    if kinds <= _AS_THEY_ARE and len(kinds & _NUMBERS_TYPES) <= 1:
        return list(values)
    known = {v: _plain(v) for v in dict.fromkeys(values)}
    return list(map(known.__getitem__, values))


#: The types of values `_plain` gives back as they are, or (tuples of texts) as JSON writes them
#: anyway.
_AS_THEY_ARE = frozenset({str, int, float, bool, NoneType, tuple})
_NUMBERS_TYPES = frozenset({int, float, bool})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _read_column(hint: Any, values: list[Any]) -> list[Any]:
    """A column of `_plain` values back as the field's type, each distinct value read once."""
    read = _reader(hint)
    if read is None:
        return values
    known: dict[Any, Any] = {None: None}
    if read is tuple:
        return [tuple(v) for v in values]
    return [known[v] if v in known else known.setdefault(v, read(v)) for v in values]


def _reader(hint: Any) -> Callable[[Any], Any] | None:
    """How to read back a value of type `hint` (or of `hint | None`; None is kept as it is):
    None when the JSON value is the value itself."""
    if isinstance(hint, UnionType):  # X | None
        (hint,) = [a for a in get_args(hint) if a is not NoneType]
    if hint is Decimal:
        return Decimal
    if hint is date:
        return date.fromisoformat
    if get_origin(hint) is tuple:  # of texts
        return tuple
    return None
