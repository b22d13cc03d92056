"""Line promises: the parts of a plan's promises gathered per order line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from pegboard.planning.promise_table import PromiseTable, iso_dates, json_numbers
from pegboard.planning.result import Promise
from pegboard.planning.segments import segment_starts
from pegboard.planning.values import as_dates, iso_day, objects, plain_number


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
        self._grouped: list[list[Promise]] = []
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
        # Rows of one line are next to each other; a line's date is that of its latest part,
        # open term (NONE, the largest day) first of all; on ties the first such part speaks.
        starts = segment_starts(table.line)
        segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
        latest = np.maximum.reduceat(table.day, starts)
        hits = np.flatnonzero(table.day == latest[segment])
        deciding = hits[np.r_[True, segment[hits][1:] != segment[hits][:-1]]]
        line = table.line[starts]
        self.order_refs = objects(table.refs, line)
        self.line_nos = objects(table.line_nos, line)
        self.skus = objects(table.skus, line)
        self.line_ids = objects(table.line_ids, line)
        self.dates = as_dates(table.day[deciding])
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

    def promise(self, k: int) -> LinePromise:
        """Line k's promise with its parts."""
        return self.promises([k])[0]

    def promises(self, ks: Sequence[int]) -> list[LinePromise]:
        """The promises of lines `ks`, with their parts."""
        ks = list(ks)
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

    def _parts(self, ks: list[int]) -> list[list[dict[str, Any]]]:
        tabled = len(self._bounds) - 1
        rows = self._rows_parts() if tabled else []
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


def by_line(promises: Iterable[Promise]) -> list[LinePromise]:
    """A line ships whole when its last part comes; any open-term part makes the line open term."""
    lines = Lines(promises)
    return lines.promises(range(len(lines)))
