"""A whole plan as bytes and back, so that a plan run on inputs nobody changed since the stored
plan answers with it instead of planning again (`services.planning.run_plan`).

Only speed rests on it: the bytes hold every field of a `PlanResult`, and `unpack(pack(r))` is
the same plan (the same `pegboard plan --json`). The promises' columns go as NumPy arrays and
everything else as JSON, together in one `.npz` (read back without pickle). Bytes of another
format (`FORMAT`) unpack to None: the caller plans again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np

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

#: Bumped whenever what `pack` writes changes; older bytes then unpack to None.
FORMAT = 1

#: The `PlanResult` fields that are lists of named tuples, and the tuple each holds.
_LISTS: dict[str, type[Any]] = {
    "purchase_suggestions": PurchaseSuggestion,
    "production_suggestions": ProductionSuggestion,
    "production_queue": QueueEntry,
    "feasible_mos": FeasibleDates,
    "adjusted_dates": AdjustedDate,
}
_COLUMNS = ("line", "quantity", "day", "wording")


def pack(result: PlanResult) -> bytes:
    """The plan as bytes for `unpack`."""
    table = _as_table(result.promises)
    meta: dict[str, Any] = {
        "format": FORMAT,
        "refs": list(table.refs),
        "line_nos": list(table.line_nos),
        "skus": list(table.skus),
        "line_ids": list(table.line_ids),
        "reasons": table.reasons,
        "bases": table.bases,
        "unadjusted": table.unadjusted,
        "extra": [_plain(p) for p in table.extra],
        **{name: [_plain(row) for row in getattr(result, name)] for name in _LISTS},
        # Which of those the engine gave as tuples, so the plan read back compares equal.
        "tuples": [name for name in _LISTS if isinstance(getattr(result, name), tuple)],
    }
    arrays = {name: getattr(table, name) for name in _COLUMNS}
    if not table.unadjusted:
        arrays["stated"] = table.stated
    out = io.BytesIO()
    np.savez(out, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    return out.getvalue()


def unpack(data: bytes) -> PlanResult | None:
    """The plan `pack` gave these bytes; None when they are of another format."""
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        meta = json.loads(stored["meta"].tobytes())
        if meta.get("format") != FORMAT:
            return None
        columns = {name: stored[name] for name in _COLUMNS}
        stated = None if meta["unadjusted"] else stored["stated"]
    promises = PromiseTable(
        refs=meta["refs"],
        line_nos=meta["line_nos"],
        skus=meta["skus"],
        line_ids=meta["line_ids"],
        reasons=meta["reasons"],
        bases=meta["bases"],
        extra=[_rebuilt(Promise, row) for row in meta["extra"]],
        stated=stated,
        **columns,
    )
    lists: dict[str, Sequence[Any]] = {}
    for name, kind in _LISTS.items():
        rows = [_rebuilt(kind, row) for row in meta[name]]
        lists[name] = tuple(rows) if name in meta["tuples"] else rows
    return PlanResult(promises, **lists)


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


def _plain(value: Any) -> Any:
    """A named tuple's values as JSON holds them: Decimals as text, dates as ISO, tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _rebuilt(kind: type[Any], row: list[Any]) -> Any:
    """The named tuple `kind` from its `_plain` values, each field read back by its type."""
    return kind(*(read(v) for read, v in zip(_readers(kind), row, strict=True)))


_READERS: dict[type[Any], list[Callable[[Any], Any]]] = {}


def _readers(kind: type[Any]) -> list[Callable[[Any], Any]]:
    """One reader per field of the named tuple `kind`, from its annotations (built once)."""
    if kind not in _READERS:
        hints = get_type_hints(kind)
        _READERS[kind] = [_reader(hints[name]) for name in kind._fields]
    return _READERS[kind]


def _reader(hint: Any) -> Callable[[Any], Any]:
    """How to read back one field of type `hint` from its `_plain` value."""
    if isinstance(hint, UnionType):  # X | None
        (inner,) = [a for a in get_args(hint) if a is not NoneType]
        read = _reader(inner)
        return lambda v: None if v is None else read(v)
    if hint is Decimal:
        return Decimal
    if hint is date:
        return date.fromisoformat
    if get_origin(hint) is tuple:  # tuple[X, ...]
        inner = get_args(hint)[0]
        if isinstance(inner, type) and issubclass(inner, tuple) and hasattr(inner, "_fields"):
            return lambda v: tuple(_rebuilt(inner, r) for r in v)
        return tuple
    return lambda v: v
