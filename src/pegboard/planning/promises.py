"""Line promises: the parts of a plan's promises gathered per order line."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring_ascii
from typing import Any, overload

import numpy as np

from pegboard.planning.arrays import NONE, by_value
from pegboard.planning.promise_table import PromiseTable, iso_dates, json_numbers
from pegboard.planning.result import Promise
from pegboard.planning.row_sequence import RowSequence
from pegboard.planning.segments import Ints, segment_starts
from pegboard.planning.values import as_dates, distinct, iso_day, objects, plain_number


@dataclass(frozen=True)
class StoredPromise:
    """The promise last given for a line, and the first dated one."""

    promised_date: date | None
    reason: str
    basis: str
    first_date: date | None


@dataclass(frozen=True)
class LinePromise:
    """The promise for a whole line: the day its last part is expected (None: open term).

    `line_id` is the order line's id in the store when the snapshot carried it."""

    order_ref: str
    line_no: int
    sku: str
    promised_date: date | None
    reason: str
    basis: str
    parts: list[dict[str, Any]]
    line_id: int | None = None


class Lines:
    """Each line's promise as columns (one entry per line, in the plan's order); the
    `LinePromise` of a line, with its parts, is built only when asked for (`promise(k)`)."""

    def __init__(self, promises: Iterable[Promise]) -> None:
        self.order_refs: list[str] = []
        self.line_nos: list[int] = []
        self.skus: list[str] = []
        self.line_ids: list[int | None] = []
        self.dates: list[date | None] = []
        self.reasons: list[str] = []
        self.bases: list[str] = []
        self._bounds: list[int] = [0]
        self._table: PromiseTable | None = None
        self._row_parts: list[dict[str, Any]] | None = None
        self._texts: tuple[list[str], np.ndarray[Any, np.dtype[np.object_]], Ints, list[str]] | None = None
        #: `_bounds` as an array, made once (a store asks for parts a block at a time).
        self._bounds_array: Ints | None = None
        self._grouped: list[list[Promise]] = []
        #: The table's lines' day numbers (NONE: open term) and wording codes, as the table has them.
        self._decided: tuple[Ints, Ints] | None = None
        #: The table's lines' input lines (indexes into its `refs` and `line_nos`).
        self._input_lines: Ints | None = None
        extra: Iterable[Promise] = promises
        if isinstance(promises, PromiseTable):
            self._table, extra = promises, promises.extra
            self._add_table(promises)
        self._add_tuples(extra)

    def __len__(self) -> int:
        return len(self.order_refs)

    def _add_table(self, table: PromiseTable) -> None:
        n = len(table.line)
        if n == 0:
            return
        starts, deciding = deciding_rows(table)
        line = table.line[starts]
        self.order_refs = objects(table.refs, line)
        self.line_nos = objects(table.line_nos, line)
        self.skus = objects(table.skus, line)
        self.line_ids = objects(table.line_ids, line)
        days, wording = np.minimum(table.day[deciding], NONE), table.wording[deciding]
        self._decided = days, wording
        self._input_lines = line
        self.dates = as_dates(days)
        self.reasons = objects(table.reasons, table.wording[deciding])
        self.bases = objects(table.bases, table.wording[deciding])
        self._bounds = np.r_[starts, n].tolist()

    def _add_tuples(self, promises: Iterable[Promise]) -> None:
        grouped: dict[tuple[str, int], list[Promise]] = {}
        for promise in promises:
            grouped.setdefault((promise.order_ref, promise.line_no), []).append(promise)
        for (order_ref, line_no), parts in grouped.items():
            undated = [p for p in parts if p.date is None]
            deciding = undated[0] if undated else max(parts, key=lambda p: p.date or date.min)
            self.order_refs.append(order_ref)
            self.line_nos.append(line_no)
            self.skus.append(parts[0].sku)
            self.line_ids.append(None)
            self.dates.append(deciding.date)
            self.reasons.append(deciding.reason)
            self.bases.append(deciding.basis)
            self._grouped.append(parts)

    def day_numbers(self) -> Ints:
        """Each line's day number (NONE: open term); a table's lines' taken from its arrays."""
        tabled = self._tabled()
        rest = self.dates[len(tabled[0]) :]
        return np.concatenate([tabled[0], by_value(rest, day_number)]) if rest else tabled[0]

    def reason_codes(self, codes: dict[Hashable, int]) -> Ints:
        """Each line's reason as a number, equal reasons alike, numbered in `codes` (shared by
        lines compared); a table's lines' from its wording codes, each wording numbered once."""
        tabled = self._tabled()
        table_codes = reason_codes(self._table.reasons if self._table is not None else [], codes)[tabled[1]]
        rest = self.reasons[len(tabled[1]) :]
        if not rest:
            return table_codes
        return np.concatenate([table_codes, reason_codes(rest, codes)])

    def table_columns(self) -> tuple[PromiseTable, Ints, Ints, Ints] | None:
        """When every line comes from a promise table: the table, and each line's input line,
        day number (NONE: open term) and wording code in it; else None."""
        if self._table is None or self._decided is None or self._input_lines is None:
            return None
        if len(self._input_lines) != len(self):
            return None
        return self._table, self._input_lines, *self._decided

    def _tabled(self) -> tuple[Ints, Ints]:
        """The table's lines' day numbers and wording codes (empty: no table)."""
        if self._decided is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return self._decided

    def promise(self, k: int) -> LinePromise:
        """Line k's promise with its parts."""
        return self.promises([k])[0]

    def promises(self, ks: Iterable[int]) -> LinePromises:
        """The promises of lines `ks`, with their parts, each built only when read."""
        return LinePromises(self, list(ks))

    def built(self, ks: list[int]) -> list[LinePromise]:
        """The promises of lines `ks` as `LinePromise`s, with their parts."""
        if not ks:
            return []

        def pick(column: Sequence[Any]) -> list[Any]:
            return [column[k] for k in ks]

        return list(
            map(
                LinePromise,
                pick(self.order_refs),
                pick(self.line_nos),
                pick(self.skus),
                pick(self.dates),
                pick(self.reasons),
                pick(self.bases),
                self._parts(ks),
                pick(self.line_ids),
            )
        )

    def parts_texts(self, ks: list[int], *, run: int | None = None) -> list[str]:
        """The parts of lines `ks` as JSON text, as `json.dumps(parts, sort_keys=True)` writes a
        `LinePromise`'s parts; a table's parts are written from its columns, each distinct part
        once, without building the parts. `run`: `ks` are a block of a run over this many lines,
        written a block at a time (the texts are then made as for the whole run)."""
        by_part = self.parts_by_part(ks, run=run)
        if by_part is not None:
            return by_part.texts()
        tabled = len(self._bounds) - 1
        texts: list[str] = [""] * len(ks)
        picked = np.asarray(ks, dtype=np.int64)
        at = np.flatnonzero(picked < tabled)
        if len(at):
            # A few lines (a re-plan's moved ones): only their rows are written, all in one go.
            first, end = self._row_bounds(picked[at])
            lengths = end - first
            starts = np.r_[0, np.cumsum(lengths)]
            rows = np.repeat(first - starts[:-1], lengths) + np.arange(starts[-1])
            written, starts_at = self._texts_of_rows(rows), starts.tolist()
            for j, a, b in zip(at.tolist(), starts_at, starts_at[1:], strict=False):
                texts[j] = "[" + ", ".join(written[a:b]) + "]"
        for j, k in enumerate(ks):
            if k >= tabled:
                texts[j] = self._extra_text(k)
        return texts

    def parts_by_part(self, ks: list[int], *, run: int | None = None) -> PartsByPart | None:
        """The parts of lines `ks` by distinct value, no text made per line of one part, when the
        lines are many of the table's (`run`: a block of a run over this many): a whole plan's.
        None otherwise: writing each distinct part of the table would cost more than their texts."""
        tabled = len(self._bounds) - 1
        if not ks or not tabled or (len(ks) if run is None else run) * 8 <= tabled:
            return None
        picked = np.asarray(ks, dtype=np.int64)
        at = np.flatnonzero(picked < tabled)
        first, end = self._row_bounds(picked[at])
        parts, _, part_of_row, alone_texts = self._row_texts()
        alone = end - first == 1
        part = np.full(len(ks), -1, dtype=np.int64)
        part[at[alone]] = part_of_row[first[alone]]
        several = {
            j: "[" + ", ".join(parts[a:b]) + "]"
            for j, a, b in zip(at[~alone].tolist(), first[~alone].tolist(), end[~alone].tolist(), strict=True)
        }
        if len(at) < len(ks):
            # Lines planned outside the table (grouped promises): their texts from their parts.
            several.update((j, self._extra_text(k)) for j, k in enumerate(ks) if k >= tabled)
        return PartsByPart(part, alone_texts, several)

    def _row_bounds(self, picked: Ints) -> tuple[Ints, Ints]:
        """The first table row of each of these (tabled) lines, and the row after its last."""
        if self._bounds_array is None:
            self._bounds_array = np.asarray(self._bounds, dtype=np.int64)
        return self._bounds_array[picked], self._bounds_array[picked + 1]

    def _extra_text(self, k: int) -> str:
        """The parts of line `k`, planned outside the table, as JSON text."""
        return json.dumps(self._parts([k])[0], sort_keys=True)

    def _texts_of_rows(self, rows: Ints) -> list[str]:
        """These table rows' parts as JSON text, one by one."""
        table = self._table
        assert table is not None
        fields = zip(
            table.wording[rows].tolist(),
            json_numbers(table.quantity[rows]),
            iso_dates(table.day[rows]),
            iso_dates(table.stated[rows]),
            strict=True,
        )
        return [
            json.dumps(
                {
                    "quantity": q,
                    "date": d,
                    "reason": table.reasons[w],
                    "basis": table.bases[w],
                    "stated_date": s,
                },
                sort_keys=True,
            )
            for w, q, d, s in fields
        ]

    def _row_texts(self) -> tuple[list[str], np.ndarray[Any, np.dtype[np.object_]], Ints, list[str]]:
        """Each table row's part as JSON text, each distinct part in brackets (a one-part line's
        parts) as a list and as an array of objects (picked from by NumPy), and which distinct
        part each row is; made once for all lines: each distinct part (wording, quantity, date,
        stated date) is written once, from its fields' JSON (each distinct value's written
        once), in `json.dumps`'s sorted-key form."""
        if self._texts is None:
            table = self._table
            assert table is not None
            count, inverse = _combinations([table.wording, table.quantity, table.day, table.stated])
            # Any row of a distinct part stands for it: its rows hold the same fields.
            sample = np.zeros(count, dtype=np.int64)
            sample[inverse] = np.arange(len(inverse))
            # A text's JSON as `json.dumps` writes it (ASCII, escaped), without its checks per call.
            reasons = list(map(encode_basestring_ascii, table.reasons))
            bases = list(map(encode_basestring_ascii, table.bases))
            fields = zip(
                table.wording[sample].tolist(),
                _json_of(table.quantity[sample], json_numbers),
                _json_of(table.day[sample], iso_dates),
                _json_of(table.stated[sample], iso_dates),
                strict=True,
            )
            texts = [
                f'{{"basis": {bases[w]}, "date": {d}, "quantity": {q}, '
                f'"reason": {reasons[w]}, "stated_date": {s}}}'
                for w, q, d, s in fields
            ]
            alone = [f"[{t}]" for t in texts]
            alone_array = np.empty(len(alone), dtype=object)
            alone_array[:] = alone
            self._texts = objects(texts, inverse), alone_array, inverse, alone
        return self._texts

    def _parts(self, ks: list[int]) -> list[list[dict[str, Any]]]:
        tabled = len(self._bounds) - 1
        # The table's parts are made for all its rows at once: only when one of its lines is asked.
        rows = self._rows_parts() if any(k < tabled for k in ks) else []
        bounds = self._bounds
        return [
            rows[bounds[k] : bounds[k + 1]]
            if k < tabled
            else [
                {
                    "quantity": plain_number(p.quantity),
                    "date": iso_day(p.date),
                    "reason": p.reason,
                    "basis": p.basis,
                    "stated_date": iso_day(p.stated_date),
                }
                for p in self._grouped[k - tabled]
            ]
            for k in ks
        ]

    def _rows_parts(self) -> list[dict[str, Any]]:
        """Each table row's part, made once for all lines (a row belongs to one line only)."""
        if self._row_parts is None:
            table = self._table
            assert table is not None
            days = iso_dates(table.day)
            self._row_parts = [
                {"quantity": quantity, "date": day, "reason": reason, "basis": basis, "stated_date": stated}
                for quantity, day, reason, basis, stated in zip(
                    json_numbers(table.quantity),
                    days,
                    objects(table.reasons, table.wording),
                    objects(table.bases, table.wording),
                    days if table.unadjusted else iso_dates(table.stated),
                    strict=True,
                )
            ]
        return self._row_parts


def deciding_rows(table: PromiseTable) -> tuple[Ints, Ints]:
    """Each line's first row in the table, and the row that decides its promise: rows of one
    line are next to each other; a line's date is that of its latest part, open term (NONE, the
    largest day) first of all; on ties the first such part speaks."""
    n = len(table.line)
    starts = segment_starts(table.line)
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    latest = np.maximum.reduceat(table.day, starts) if n else table.day
    hits = np.flatnonzero(table.day == latest[segment])
    return starts, hits[np.r_[True, segment[hits][1:] != segment[hits][:-1]]]


def day_number(day: date | None) -> int:
    """A date's day number; NONE for open term."""
    return NONE if day is None else day.toordinal()


def reason_codes(reasons: Sequence[str], codes: dict[Hashable, int]) -> Ints:
    """Each reason's number in `codes`, a new reason numbered next."""
    return np.array([codes.setdefault(reason, len(codes)) for reason in reasons], dtype=np.int64)


@dataclass(frozen=True)
class PartsByPart:
    """Lines' parts as JSON text (`Lines.parts_by_part`) by distinct value, for a store keeping each
    distinct parts once: line j's is `alone[part[j]]` where `part[j]` is not -1, else `several[j]`
    (a line of several parts, or one planned outside the table)."""

    part: Ints
    alone: list[str]
    several: dict[int, str]

    def __len__(self) -> int:
        return len(self.part)

    def texts(self) -> list[str]:
        """Each line's text."""
        alone, several = self.alone, self.several
        return [alone[k] if k >= 0 else several[j] for j, k in enumerate(self.part.tolist())]


class LinePromises(RowSequence[LinePromise]):
    """The promises of some lines of a `Lines` (`Lines.promises`), kept as its columns: a
    `LinePromise`, with its parts, is built only for an entry read, so a store can write a
    whole plan's new promises from the columns (`column`, `parts_texts`) without building one."""

    __slots__ = ("lines", "ks", "_built", "_every")

    def __init__(self, lines: Lines, ks: list[int]) -> None:
        self.lines, self.ks = lines, ks
        self._built: list[LinePromise] | None = None
        #: Whether these are all the lines in order, once worked out (a store asks per column).
        self._every: bool | None = None

    def __len__(self) -> int:
        return len(self.ks)

    @overload
    def __getitem__(self, index: int) -> LinePromise: ...

    @overload
    def __getitem__(self, index: slice) -> list[LinePromise]: ...

    def __getitem__(self, index: int | slice) -> LinePromise | list[LinePromise]:
        if self._built is not None:
            return self._built[index]
        if isinstance(index, slice):
            return self.lines.built(self.ks[index])
        return self.lines.built([self.ks[index]])[0]

    def rows(self) -> list[LinePromise]:
        return self.built()

    def built(self) -> list[LinePromise]:
        """Every promise as a `LinePromise` (built on first use, then kept)."""
        if self._built is None:
            self._built = self.lines.built(self.ks)
        return self._built

    def column(self, name: str) -> list[Any]:
        """One of the lines' columns (`order_refs`, `line_nos`, `skus`, `line_ids`, `dates`,
        `reasons`, `bases`) for these promises."""
        values: list[Any] = getattr(self.lines, name)
        if self._every_line():
            return list(values)
        return objects(values, np.asarray(self.ks, dtype=np.int64)) if self.ks else []

    def _every_line(self) -> bool:
        """These are all the lines, in order (a first plan's promises are all new)."""
        if self._every is None:
            ks, count = self.ks, len(self.lines)
            self._every = (
                len(ks) == count > 0
                and ks[0] == 0
                and ks[-1] == count - 1
                and bool(np.all(np.diff(np.asarray(ks, dtype=np.int64)) > 0))
            )
        return self._every

    def parts_by_part(self, picked: Sequence[int]) -> PartsByPart | None:
        """The parts of entries `picked` by distinct value (`Lines.parts_by_part`), a block of a
        run over them all; None when they are not a whole plan's."""
        ks = self.ks
        return self.lines.parts_by_part([ks[k] for k in picked], run=len(ks))

    def parts_texts(self, picked: Sequence[int] | None = None) -> list[str]:
        """Each promise's parts as JSON text (`Lines.parts_texts`); only those of entries `picked`
        when given, a block of a run over them all (a store writing them a block at a time)."""
        if picked is None:
            return self.lines.parts_texts(self.ks)
        ks = self.ks
        return self.lines.parts_texts([ks[k] for k in picked], run=len(ks))


def by_line(promises: Iterable[Promise]) -> list[LinePromise]:
    """A line ships whole when its last part comes; any open-term part makes the line open term."""
    lines = Lines(promises)
    return lines.built(list(range(len(lines))))


def _json_of(column: Ints, convert: Callable[[Ints], list[Any]]) -> list[str]:
    """Each entry's value (`convert` makes values of the column's) as JSON, each distinct entry
    converted and written once."""
    values, index = _distinct(column)
    return objects([json.dumps(value) for value in convert(values)], index)


def _distinct(column: Ints) -> tuple[Ints, Ints]:
    """`distinct`, values spread wide but all a multiple apart (micro-units of whole or half
    units) numbered by their steps, by direct indexing rather than by sorting."""
    if len(column) == 0:
        return distinct(column)
    low, high = int(column.min()), int(column.max())
    if high - low <= 4 * len(column) + 4096 or high - low >= 2**62:  # small, or beyond int64's differences
        return distinct(column)
    step = int(np.gcd.reduce(column - low))
    if step <= 1:
        return distinct(column)
    values, index = distinct((column - low) // step)
    return values * step + low, index


def _combinations(columns: Sequence[Ints]) -> tuple[int, Ints]:
    """How many distinct rows the integer columns make together, and each row's index among
    them. The columns are combined fewest distinct values first, the combined code numbered
    again whenever it would outgrow a small range, so that no sort of the rows is needed (a
    bitmap of the codes numbers the last; a sort only beyond `_BITMAP`)."""
    count, inverse = 1, np.zeros(len(columns[0]), dtype=np.int64)
    small = 4 * len(inverse) + 4096
    for values, index in sorted(map(_distinct, columns), key=lambda pair: len(pair[0])):
        if count * len(values) > small:
            count, inverse = _numbered(inverse, count)
        inverse, count = inverse * len(values) + index, count * len(values)
    return _numbered(inverse, count)


def _numbered(codes: Ints, count: int) -> tuple[int, Ints]:
    """How many distinct codes (from 0 to `count`) there are, and each one's index among them."""
    if count <= 4 * len(codes) + 4096:
        kept, inverse = distinct(codes)
        return len(kept), inverse
    if count <= _BITMAP:
        seen = np.zeros(count, dtype=np.bool_)
        seen[codes] = True
        kept = np.flatnonzero(seen)
        rank = np.zeros(count, dtype=np.int64 if len(kept) >= 2**31 else np.int32)
        rank[kept] = np.arange(len(kept))
        return len(kept), rank[codes].astype(np.int64)
    kept, inverse = np.unique(codes, return_inverse=True)
    return len(kept), inverse.reshape(-1)


#: Codes numbered by a bitmap up to this many possible values (16 MB, and a rank of 4 bytes each).
_BITMAP = 2**24
