"""A whole plan as bytes and back, so that a plan run on inputs nobody changed since the stored
plan answers with it instead of planning again (`services.planning.run_plan`).

Only speed rests on it: the bytes hold every field of a `PlanResult`, and `unpack(pack(r))` is
the same plan (the same `pegboard plan --json`). Everything is kept as columns, as the engine
gives its promises (`planning.promise_table`): NumPy arrays for numbers, a list of distinct
values and an index array for repeated texts, and one JSON list per field of the suggestions
and the queue, each distinct value read back once.

The bytes are `_MAGIC` and `FORMAT` (one byte), a JSON header naming where each part lies, then
the parts, each deflated on its own: so reading one part costs only its own bytes. The promises
are read at once; the suggestions and the queue a part at a time, when someone asks for their
rows (`_KeptRows`): a terminal shows the first 100 rows of a queue of thousands, the first part
holds those, and an unchanged re-plan reads no more (BENCHMARKS.md, "mstart"). Bytes of another
format (an older `FORMAT`, or format 2's deflated `.npz`) unpack to None: the caller plans again.
"""

from __future__ import annotations

import json
import operator
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain, pairwise, repeat
from types import NoneType, UnionType
from typing import Any, SupportsIndex, get_args, get_origin, get_type_hints, overload

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
from pegboard.planning.row_sequence import RowSequence
from pegboard.planning.segments import Ints

#: Bumped whenever what `pack` writes changes; older bytes then unpack to None.
FORMAT = 3
#: What `pack`'s bytes begin with, before `FORMAT` (format 2 and older began with a deflate header).
_MAGIC = b"PKP"
#: Rows of a kept list in its first part (the rows a terminal shows: `pegboard plan` lists the
#: first 100), and in each later part; a part is read whole when any of its rows is asked for.
FIRST = 100
CHUNK = 1000

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


def pack(result: PlanResult, *, like: PlanResult | None = None) -> bytes:
    """The plan as bytes for `unpack` (the collector paused, as in `unpack`); `like`, a plan read
    back from such bytes (the kept one), lends its coded texts where this plan's are the same
    (`coded.coding`), and the deflated parts of its lines' columns where those are the same
    (`_same_as_kept`): the bytes are the same either way."""
    with collector_paused():
        return _pack(result, like)


def _pack(result: PlanResult, like: PlanResult | None) -> bytes:
    table = _as_table(result.promises)
    kept = None if like is None or not isinstance(like.promises, PromiseTable) else like.promises
    arrays: dict[str, Ints] = {name: getattr(table, name) for name in _NUMBERS}
    if not table.unadjusted:
        arrays["stated"] = table.stated
    texts: dict[str, Any] = {
        "reasons": table.reasons,
        "bases": table.bases,
        "extra": _columns(Promise, table.extra),
    }
    for name in _TEXTS:
        texts[name], arrays[name] = coding(getattr(table, name), like=getattr(kept, name, None))
    arrays["line_nos"] = np.asarray(table.line_nos, dtype=np.int64)
    arrays["line_ids"] = np.asarray([-1 if i is None else i for i in table.line_ids], dtype=np.int64)
    parts: dict[str, bytes] = {}
    kinds: dict[str, str] = {}
    for name, values in arrays.items():
        narrow = _narrowest(values)
        parts[name], kinds[name] = narrow.tobytes(), narrow.dtype.str
    parts["texts"] = json.dumps(texts).encode()
    counts = {}
    for name, kind in _LISTS.items():
        rows = getattr(result, name)
        counts[name] = len(rows)
        bounds = _bounds(len(rows), FIRST, CHUNK)
        for k, (start, end) in enumerate(pairwise(bounds)):
            parts[f"{name}.{k}"] = json.dumps(_columns(kind, rows[start:end])).encode()
    # Each part deflated at the fastest level: a quarter of the bytes, for less time than moving the rest.
    # A part the kept plan holds as it is: its deflated bytes, what zlib gives the same bytes again.
    stored, same = _stored_of(like), _same_as_kept(table, kept, arrays)
    deflated = {
        name: stored.deflated(name)
        if stored is not None and name in same and stored.places[name][2] == kinds[name]
        else zlib.compress(raw, 1)
        for name, raw in parts.items()
    }
    places, offset = {}, 0
    for name, blob in deflated.items():
        places[name] = [offset, len(blob), kinds.get(name)]
        offset += len(blob)
    # Which lists the engine gave as tuples: read back as tuples, so the plan read back compares
    # equal and says the same (a plan no history moved has the empty tuple of adjusted dates).
    tuples = [name for name in _LISTS if isinstance(getattr(result, name), tuple)]
    sizes = {"first": FIRST, "chunk": CHUNK}
    header = json.dumps({"parts": places, "counts": counts, **sizes, "tuples": tuples}).encode()
    return b"".join([_MAGIC, bytes([FORMAT]), len(header).to_bytes(4, "little"), header, *deflated.values()])


def _same_as_kept(table: PromiseTable, kept: PromiseTable | None, arrays: dict[str, Ints]) -> set[str]:
    """The parts of the lines' columns whose values are the kept plan's: its coded texts' codes
    lent (`coded.coding`), its line numbers and ids the same (the lines did not change)."""
    if kept is None:
        return set()
    same = set()
    for name in _TEXTS:
        theirs = getattr(kept, name)
        if isinstance(theirs, CodedTexts) and arrays[name] is theirs.codes:
            same.add(name)
    for name in ("line_nos", "line_ids"):
        mine, theirs = getattr(table, name), getattr(kept, name)
        if isinstance(mine, list) and isinstance(theirs, list) and list.__eq__(mine, theirs):
            same.add(name)
    return same


def _stored_of(result: PlanResult | None) -> _Stored | None:
    """The bytes a plan read back by `unpack` reads its lists from; None for any other plan."""
    for name in _LISTS:
        rows = None if result is None else getattr(result, name)
        if isinstance(rows, _KeptRows):
            return rows._stored
    return None


def unpack(data: bytes) -> PlanResult | None:
    """The plan `pack` gave these bytes; None when they are of another format. Its promises are
    read now, its suggestions and queue as they are asked for (`_KeptRows`).

    Like planning, reading a plan back makes many small objects and no reference cycles: the
    collector is paused meanwhile (`collector.collector_paused`)."""
    with collector_paused():
        stored = _Stored.read(data)
        if stored is None:
            return None
        lists: dict[str, Sequence[Any]] = {}
        for name, kind in _LISTS.items():
            rows = _KeptRows(kind, stored, name)
            lists[name] = tuple(rows) if name in stored.tuples else rows
        return PlanResult(_promises(stored), **lists)


def kept_fields(rows: Sequence[Any]) -> Iterator[dict[str, Any]] | None:
    """The fields of a kept list's rows a part at a time (`_KeptRows.fields`), when it is one
    whose rows were not all read yet; else None (the rows are at hand)."""
    if isinstance(rows, _KeptRows) and not rows.read_whole():
        return rows.fields()
    return None


def unpack_promises(data: bytes) -> PromiseTable | None:
    """Only the promises of the plan `pack` gave these bytes (`PlanResult.promises`, as a
    table); None when they are of another format."""
    with collector_paused():
        stored = _Stored.read(data)
        return None if stored is None else _promises(stored)


class _Stored:
    """`pack`'s bytes, read a part at a time: each part's place (offset after the header, length,
    and for an array its NumPy type), each list's count, the rows of a list's part and the lists
    that were tuples are in the header."""

    def __init__(self, data: memoryview, header: dict[str, Any]) -> None:
        self.data = data
        self.places: dict[str, list[Any]] = header["parts"]
        self.counts: dict[str, int] = header["counts"]
        self.first: int = header["first"]
        self.chunk: int = header["chunk"]
        self.tuples: list[str] = header["tuples"]

    @classmethod
    def read(cls, data: bytes) -> _Stored | None:
        """The bytes' header; None when they are of another format."""
        view = memoryview(data)
        start = len(_MAGIC) + 1
        if bytes(view[:start]) != _MAGIC + bytes([FORMAT]):
            return None
        size = int.from_bytes(view[start : start + 4], "little")
        header = json.loads(bytes(view[start + 4 : start + 4 + size]))
        return cls(view[start + 4 + size :], header)

    def has(self, name: str) -> bool:
        return name in self.places

    def json(self, name: str) -> Any:
        return json.loads(self._raw(name))

    def array(self, name: str) -> Ints:
        return np.frombuffer(self._raw(name), dtype=self.places[name][2]).astype(np.int64)

    def _raw(self, name: str) -> bytes:
        return zlib.decompress(self.deflated(name))

    def deflated(self, name: str) -> memoryview:
        """A part as it is kept (deflated)."""
        offset, length, _ = self.places[name]
        return self.data[offset : offset + length]


class _KeptRows(RowSequence[Any]):
    """A kept list of named tuples (a `PlanResult`'s suggestions or queue), read from the kept
    bytes a part (`_bounds`) at a time, as rows are asked for; equal to any sequence of the same
    rows (as the list or tuple the plan held)."""

    __slots__ = ("_kind", "_stored", "_name", "_count", "_bounds", "_chunks", "_all")

    def __init__(self, kind: type[Any], stored: _Stored, name: str) -> None:
        self._kind, self._stored, self._name = kind, stored, name
        self._count = stored.counts[name]
        self._bounds = _bounds(self._count, stored.first, stored.chunk)
        self._chunks: list[list[Any] | None] = [None] * (len(self._bounds) - 1)
        self._all: list[Any] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: SupportsIndex) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1 or self._all is not None:
                return self.rows()[index]
            if stop <= start:
                return []
            first, last = self._part(start), self._part(stop - 1)
            read = list(chain.from_iterable(map(self._chunk, range(first, last + 1))))
            offset = self._bounds[first]
            return read[start - offset : stop - offset]
        at = operator.index(index)
        if not -self._count <= at < self._count:
            raise IndexError("kept rows index out of range")
        at %= self._count
        part = self._part(at)
        return self._chunk(part)[at - self._bounds[part]]

    def __reduce__(self) -> tuple[type[list[Any]], tuple[list[Any]]]:
        """Pickled and copied as the list of its rows (not with the bytes it reads them from)."""
        return list, (self.rows(),)

    def fields(self) -> Iterator[dict[str, Any]]:
        """Each part's rows as the values of their fields (`_fields`), none made a row: for a
        caller that only compares them (`planning.queue_keys`)."""
        for k in range(len(self._chunks)):
            with collector_paused():
                fields = _fields(self._kind, self._stored.json(f"{self._name}.{k}"))
            yield fields

    def read_whole(self) -> bool:
        """Whether every row was read already."""
        return self._all is not None

    def rows(self) -> list[Any]:
        """Every row (read on first use, then kept)."""
        if self._all is None:
            self._all = list(chain.from_iterable(map(self._chunk, range(len(self._chunks)))))
        return self._all

    def _part(self, row: int) -> int:
        """The part that holds row `row`."""
        return bisect_right(self._bounds, row) - 1

    def _chunk(self, k: int) -> list[Any]:
        rows = self._chunks[k]
        if rows is None:
            with collector_paused():
                rows = self._chunks[k] = _rows(self._kind, self._stored.json(f"{self._name}.{k}"))
        return rows


def _bounds(count: int, first: int, chunk: int) -> list[int]:
    """Where each part of a kept list of `count` rows begins, then its end: the first part holds
    `first` rows, each later one `chunk` rows (the last what is left)."""
    return [0, *range(min(first, count), count, chunk), count] if count else [0]


def _promises(stored: _Stored) -> PromiseTable:
    texts = stored.json("texts")
    ids = stored.array("line_ids")
    stored_ids: list[int] = ids.tolist()
    # -1: a line not stored yet (none is, in a plan of stored lines).
    line_ids: Sequence[int | None] = (
        [None if i < 0 else i for i in stored_ids] if (ids < 0).any() else stored_ids
    )
    return PromiseTable(
        # Coded as stored, so that storing this plan (or one merged from it) again codes only
        # the texts added (`planning.coded`).
        refs=CodedTexts.decoded(texts["refs"], stored.array("refs")),
        line_nos=stored.array("line_nos").tolist(),
        skus=CodedTexts.decoded(texts["skus"], stored.array("skus")),
        line_ids=line_ids,
        reasons=texts["reasons"],
        bases=texts["bases"],
        extra=_rows(Promise, texts["extra"]),
        stated=stored.array("stated") if stored.has("stated") else None,
        **{name: stored.array(name) for name in _NUMBERS},
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
    return _made(kind, _fields(kind, columns))


def _fields(kind: type[Any], columns: dict[str, Any]) -> dict[str, Any]:
    """The values of `_columns`' columns as each field's type: a field that holds named tuples
    (a queue entry's `missing`) as each row's count and their own fields. `_made` makes rows of
    them; a caller that only compares rows can compare these (`planning.queue_keys`)."""
    hints = _hints(kind)
    fields: dict[str, Any] = {}
    for name in kind._fields:
        inner = _nested(hints[name])
        if inner is None:
            fields[name] = _read_column(hints[name], columns[name])
        else:
            fields[name] = (columns[name]["counts"], _fields(inner, columns[name]))
    return fields


def _made(kind: type[Any], fields: dict[str, Any]) -> list[Any]:
    """The named tuples of `kind` whose fields are these (`_fields`)."""
    hints = _hints(kind)
    read: list[list[Any]] = []
    for name in kind._fields:
        inner = _nested(hints[name])
        if inner is None:
            read.append(fields[name])
        else:
            counts, own = fields[name]
            flat = _made(inner, own)
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
