"""Which lines' promises a whole plan may have moved: two plans' line promises compared as arrays.

A whole re-plan compares each of its lines (a million at a large shop) with the stored plan's
promise for the same order line. Done with a dict of (date, reason) tuples keyed by line id it
costs seconds; as columns (line ids, day numbers, reason codes) it is a sort and a search.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast, overload

import numpy as np

from pegboard.domain.events import PromiseChanged
from pegboard.planning.arrays import NONE, by_value
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import (
    LinePromises,
    Lines,
    StoredPromise,
    day_number,
    deciding_rows,
    reason_codes,
)
from pegboard.planning.result import PLANNED_MO, PLANNED_PO, Promise
from pegboard.planning.row_sequence import RowSequence
from pegboard.planning.segments import Ints
from pegboard.planning.values import as_dates, objects

#: The id of a line known by order ref only (no id in the store).
NO_ID = -1


@dataclass(frozen=True)
class LineKeys:
    """Each line's id (NO_ID when it has none), day number (NONE: open term) and reason code."""

    ids: Ints
    days: Ints
    reasons: Ints


def line_keys(lines: Lines, codes: dict[Hashable, int]) -> LineKeys:
    """The lines as keys; reasons are numbered in `codes`, shared by the plans compared."""
    return LineKeys(ids=_ids(lines), days=lines.day_numbers(), reasons=lines.reason_codes(codes))


def promise_keys(promises: Sequence[Promise], codes: dict[Hashable, int]) -> LineKeys:
    """The lines of these promises as keys (`line_keys`): a table's taken from its columns, with
    no `Lines` built (its texts and dates are not needed to compare)."""
    decided = _table_keys(promises, codes)
    if decided is None:
        return line_keys(Lines(promises), codes)
    starts, days, reasons = decided
    assert isinstance(promises, PromiseTable)
    return LineKeys(ids=_id_array(promises.line_ids)[promises.line[starts]], days=days, reasons=reasons)


def differ(lines: Lines, base: Sequence[Promise]) -> bool:
    """Whether some line has another day or reason than the line at its place in `base`'s
    promises (the stored plan's), or `base` promises another number of lines: then the two
    plans' promise digests differ (`planning.promise_digest`: one text of every line's day and
    reason in order). False says nothing: the digests may still differ (their lines' refs)."""
    codes: dict[Hashable, int] = {}
    decided = _table_keys(base, codes)
    if decided is None:
        kept = Lines(base)
        days, reasons = kept.day_numbers(), kept.reason_codes(codes)
    else:
        _, days, reasons = decided
    if len(days) != len(lines):
        return True
    return bool((lines.day_numbers() != days).any() or (lines.reason_codes(codes) != reasons).any())


def _table_keys(promises: Sequence[Promise], codes: dict[Hashable, int]) -> tuple[Ints, Ints, Ints] | None:
    """A promise table's lines' first rows, day numbers and reason codes, from its columns; None
    when the promises are not a table of lines alone."""
    if not isinstance(promises, PromiseTable) or promises.extra or not len(promises.line):
        return None
    starts, deciding = deciding_rows(promises)
    days = np.minimum(promises.day[deciding], NONE)
    return starts, days, reason_codes(promises.reasons, codes)[promises.wording[deciding]]


def _ids(lines: Lines) -> Ints:
    """Each line's id, NO_ID when it has none."""
    return _id_array(lines.line_ids)


def _id_array(line_ids: Sequence[int | None]) -> Ints:
    """These line ids as an array, NO_ID for None."""
    # A float array takes the list in C, None as NaN; line ids are far below 2**53.
    ids = np.array(line_ids, dtype=np.float64) if len(line_ids) else np.zeros(0)
    return np.where(np.isnan(ids), NO_ID, ids).astype(np.int64)


def on_planned_orders(promises: Sequence[Promise]) -> int:
    """How many of these promises rest on a planned order (a suggestion): a planned order starts
    no earlier than its plan's day, so on a later day such promises move with it."""
    planned = (PLANNED_PO, PLANNED_MO)
    if isinstance(promises, PromiseTable):
        kinds = np.fromiter(
            (basis in planned for basis in promises.bases), dtype=np.bool_, count=len(promises.bases)
        )
        rows = int(np.count_nonzero(kinds[np.asarray(promises.wording, dtype=np.int64)])) if len(kinds) else 0
        return rows + sum(p.basis in planned for p in promises.extra)
    return sum(p.basis in planned for p in promises)


def maybe_moved(lines: Lines, base: Sequence[Promise], marked: Collection[int]) -> list[int]:
    """The lines (positions) of `lines` whose stored promise may differ from theirs, `base` being
    the stored plan's promises: those marked (re-promised since it), those it gave another date
    or reason or did not promise, and those known by order ref only. Should `base` hold a line id
    twice, its last one counts."""
    codes: dict[Hashable, int] = {}
    new, old = line_keys(lines, codes), promise_keys(base, codes)
    known = np.flatnonzero(old.ids != NO_ID)
    # Stable, so equal ids keep their order and the last of them is found (side="right" - 1).
    known = known[np.argsort(old.ids[known], kind="stable")]
    same = np.zeros(len(new.ids), dtype=np.bool_)
    if len(known):
        at = known[np.maximum(np.searchsorted(old.ids[known], new.ids, side="right") - 1, 0)]
        same = (old.ids[at] == new.ids) & (old.days[at] == new.days) & (old.reasons[at] == new.reasons)
    same &= new.ids != NO_ID
    if marked:
        same &= ~np.isin(new.ids, np.fromiter(marked, dtype=np.int64, count=len(marked)))
    return np.flatnonzero(~same).tolist()


def of_skus(lines: Lines, skus: Collection[str], marked: Collection[int]) -> list[int]:
    """The lines (positions) of these SKUs, those marked (re-promised since the stored plan), and
    those known by order ref only."""
    if not len(lines):
        return []
    ids = _ids(lines)
    chosen = np.fromiter(map(skus.__contains__, lines.skus), dtype=np.bool_, count=len(lines))
    chosen |= ids == NO_ID
    if marked:
        chosen |= np.isin(ids, np.fromiter(marked, dtype=np.int64, count=len(marked)))
    return np.flatnonzero(chosen).tolist()


def promises_of(lines: Lines, wanted: Collection[int]) -> dict[int, tuple[date | None, str]]:
    """The date and reason of the lines with these ids (the last line of an id counts)."""
    if not wanted or not len(lines):
        return {}
    ids = line_keys(lines, {}).ids
    at = np.flatnonzero(np.isin(ids, np.fromiter(wanted, dtype=np.int64, count=len(wanted)))).tolist()
    return {i: (lines.dates[k], lines.reasons[k]) for i, k in zip(ids[at].tolist(), at, strict=True)}


@dataclass(frozen=True)
class StoredLines:
    """Stored line promises as columns, one entry per line, by line id ascending: the day numbers
    (NONE: open term) of the promised and the first dated promise, the reason and the basis."""

    ids: Ints
    days: Ints
    reasons: list[str]
    bases: list[str]
    first_days: Ints

    @classmethod
    def of(cls, found: Mapping[int, StoredPromise]) -> StoredLines:
        """The columns of these stored promises (by line id)."""
        ids = sorted(found)
        rows = [found[i] for i in ids]
        return cls(
            ids=np.array(ids, dtype=np.int64),
            days=by_value((s.promised_date for s in rows), day_number),
            reasons=[s.reason for s in rows],
            bases=[s.basis for s in rows],
            first_days=by_value((s.first_date for s in rows), day_number),
        )

    @classmethod
    def unsorted(
        cls, *, ids: Ints, days: Ints, reasons: list[str], bases: list[str], first_days: Ints
    ) -> StoredLines:
        """The columns in any order of line ids, put in order (each id once)."""
        order = np.argsort(ids, kind="stable")
        return cls(ids[order], days[order], objects(reasons, order), objects(bases, order), first_days[order])

    def promises(self, index: Ints) -> list[StoredPromise]:
        """The stored promises at these positions."""
        return list(
            map(
                StoredPromise,
                as_dates(self.days[index]),
                objects(self.reasons, index),
                objects(self.bases, index),
                as_dates(self.first_days[index]),
            )
        )


def stored_moved(
    stored: StoredLines, ids: Sequence[int | None], dates: Sequence[date | None], reasons: Sequence[str]
) -> tuple[list[int], PromisesBefore]:
    """Which of these lines (given by id, date and reason; None: no id) have no stored promise
    or another date or reason than the stored one (positions), with their stored promises. A line
    without an id counts as one without a stored promise: the caller looks it up otherwise."""
    if not len(stored.ids):
        return list(range(len(ids))), PromisesBefore(stored, np.full(len(ids), -1, dtype=np.int64))
    wanted = _id_array(ids)
    at = np.minimum(np.searchsorted(stored.ids, wanted), len(stored.ids) - 1)
    found = (stored.ids[at] == wanted) & (wanted != NO_ID)
    same = found & (stored.days[at] == by_value(dates, day_number))
    # Reasons are compared only where the day is the same (after a morning, few lines).
    stored_reasons, where = stored.reasons, at.tolist()
    same[[k for k in np.flatnonzero(same).tolist() if reasons[k] != stored_reasons[where[k]]]] = False
    moved = np.flatnonzero(~same)
    return moved.tolist(), PromisesBefore(stored, np.where(found[moved], at[moved], -1))


class PromisesBefore(RowSequence[StoredPromise | None]):
    """The stored promises of some lines (None for a line without one), kept as the columns of
    a `StoredLines`: a `StoredPromise` is built only for an entry read, so a morning's 600k moved
    lines are stored and announced from the columns (`known`, `promised_dates`)."""

    __slots__ = ("stored", "at")

    def __init__(self, stored: StoredLines, at: Ints) -> None:
        #: Each line's position in `stored`, -1 when it has no stored promise.
        self.stored, self.at = stored, at

    def __len__(self) -> int:
        return len(self.at)

    @overload
    def __getitem__(self, index: int) -> StoredPromise | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[StoredPromise | None]: ...

    def __getitem__(self, index: int | slice) -> StoredPromise | None | list[StoredPromise | None]:
        if isinstance(index, slice):
            return self._built(self.at[index])
        return self._built(self.at[index : index + 1] if index >= 0 else self.at[[index]])[0]

    def rows(self) -> list[StoredPromise | None]:
        return self._built(self.at)

    def known(self) -> list[bool]:
        """Whether each line has a stored promise."""
        return cast(list[bool], (self.at >= 0).tolist())

    def promised_dates(self) -> list[date | None]:
        """Each line's stored promised date (None also where it has no stored promise)."""
        return as_dates(self.promised_days())

    def promised_days(self) -> Ints:
        """Each line's stored promised day number (NONE also where it has no stored promise)."""
        days = np.full(len(self.at), NONE, dtype=np.int64)
        known = self.at >= 0
        days[known] = self.stored.days[self.at[known]]
        return days

    def _built(self, at: Ints) -> list[StoredPromise | None]:
        found = np.flatnonzero(at >= 0)
        promises = self.stored.promises(at[found])
        if len(found) == len(at):
            return list(promises)
        built: list[StoredPromise | None] = [None] * len(at)
        for n, promise in zip(found.tolist(), promises, strict=True):
            built[n] = promise
        return built


def known(before: Sequence[StoredPromise | None]) -> list[bool]:
    """Whether each line has a stored promise (from the columns when `before` keeps them)."""
    if isinstance(before, PromisesBefore):
        return before.known()
    return [b is not None for b in before]


def promised_dates(before: Sequence[StoredPromise | None]) -> list[date | None]:
    """Each line's stored promised date, None where it has no stored promise (from the columns
    when `before` keeps them)."""
    if isinstance(before, PromisesBefore):
        return before.promised_dates()
    return [None if b is None else b.promised_date for b in before]


def moved_dates(changed: LinePromises, before: Sequence[StoredPromise | None]) -> MovedDates:
    """The lines of `changed` whose stored promise (`before`, None: none) has another date, each
    a `PromiseChanged`; a line's first promise is not a change."""
    if isinstance(before, PromisesBefore):
        has, old = before.at >= 0, before.promised_days()
    else:
        has = np.array([b is not None for b in before], dtype=bool)
        old = by_value(promised_dates(before), day_number)
    new = by_value(changed.column("dates"), day_number)
    at = np.flatnonzero(has & (old != new))
    moved = LinePromises(changed.lines, np.asarray(changed.ks, dtype=np.int64)[at].tolist())
    return MovedDates(
        order_refs=moved.column("order_refs"),
        line_nos=moved.column("line_nos"),
        skus=moved.column("skus"),
        old_dates=as_dates(old[at]),
        new_dates=moved.column("dates"),
        reasons=moved.column("reasons"),
    )


class MovedDates(RowSequence[PromiseChanged]):
    """The `PromiseChanged` of lines whose promised date moved, kept as columns (one entry per
    line, in the plan's order): an event is built only for an entry read, so an outbox can write
    a morning's 600k from the columns (one per field of `PromiseChanged`)."""

    __slots__ = ("order_refs", "line_nos", "skus", "old_dates", "new_dates", "reasons")

    def __init__(
        self,
        *,
        order_refs: list[str],
        line_nos: list[int],
        skus: list[str],
        old_dates: list[date | None],
        new_dates: list[date | None],
        reasons: list[str],
    ) -> None:
        self.order_refs, self.line_nos, self.skus = order_refs, line_nos, skus
        self.old_dates, self.new_dates, self.reasons = old_dates, new_dates, reasons

    def __len__(self) -> int:
        return len(self.order_refs)

    @overload
    def __getitem__(self, index: int) -> PromiseChanged: ...

    @overload
    def __getitem__(self, index: slice) -> list[PromiseChanged]: ...

    def __getitem__(self, index: int | slice) -> PromiseChanged | list[PromiseChanged]:
        if isinstance(index, slice):
            return self._events(index)
        return self._events(slice(index, index + 1 or None))[0]

    def rows(self) -> list[PromiseChanged]:
        return self._events(slice(None))

    def _events(self, picked: slice) -> list[PromiseChanged]:
        columns = (self.order_refs, self.line_nos, self.skus, self.old_dates, self.new_dates, self.reasons)
        return list(map(PromiseChanged, *(column[picked] for column in columns)))
