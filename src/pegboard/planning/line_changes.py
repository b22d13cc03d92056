"""Which lines' promises a whole plan may have moved: two plans' line promises compared as arrays.

A whole re-plan compares each of its lines (a million at a large shop) with the stored plan's
promise for the same order line. Done with a dict of (date, reason) tuples keyed by line id it
costs seconds; as columns (line ids, day numbers, reason codes) it is a sort and a search.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from datetime import date

import numpy as np

from pegboard.planning.arrays import NONE, by_value
from pegboard.planning.promises import Lines
from pegboard.planning.segments import Ints

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
    return LineKeys(
        ids=_ids(lines),
        days=by_value(lines.dates, _day),
        reasons=by_value(lines.reasons, lambda reason: codes.setdefault(reason, len(codes))),
    )


def _ids(lines: Lines) -> Ints:
    """Each line's id, NO_ID when it has none."""
    # A float array takes the list in C, None as NaN; line ids are far below 2**53.
    ids = np.array(lines.line_ids, dtype=np.float64) if len(lines) else np.zeros(0)
    return np.where(np.isnan(ids), NO_ID, ids).astype(np.int64)


def _day(day: date | None) -> int:
    return NONE if day is None else day.toordinal()


def maybe_moved(lines: Lines, base: Lines, marked: Collection[int]) -> list[int]:
    """The lines (positions) of `lines` whose stored promise may differ from theirs, `base` being
    the stored plan's: those marked (re-promised since it), those it gave another date or reason
    or did not promise, and those known by order ref only. Should `base` hold a line id twice,
    its last one counts."""
    codes: dict[Hashable, int] = {}
    new, old = line_keys(lines, codes), line_keys(base, codes)
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
