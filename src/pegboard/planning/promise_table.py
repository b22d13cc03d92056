"""A plan's promises kept as columns: NumPy arrays and small lookup lists, not a million tuples.

The engine gives its promises as a `PromiseTable`: a read-only sequence of `Promise` that
builds its tuples only when someone iterates or indexes it (once, then kept). Callers that
store or render promises in bulk read the columns instead (`planning.promises.line_table`,
`views.plan.plan_json`), which costs a few array operations plus one Python object per distinct
value, not one per promise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from pegboard.planning.arrays import NONE, SCALE
from pegboard.planning.coded import flags
from pegboard.planning.result import Promise
from pegboard.planning.row_sequence import RowSequence
from pegboard.planning.segments import Ints
from pegboard.planning.values import as_dates, as_decimals, distinct, objects, plain_number


class PromiseTable(RowSequence[Promise]):
    """Promises as columns, then `extra` promises (as tuples) after them.

    Row r rests on input line `line[r]` (an index into `refs`, `line_nos`, `skus` and
    `line_ids`, which are the snapshot's demand columns), has `quantity[r]` micro-units, ships
    on day number `day[r]` (NONE: open term), and is worded `reasons[wording[r]]` /
    `bases[wording[r]]`; `stated[r]` is its day before suppliers' history moved it (`day` itself
    when nothing was adjusted). Rows of one
    line are next to each other.
    """

    __slots__ = (
        "refs",
        "line_nos",
        "skus",
        "line_ids",
        "line",
        "quantity",
        "day",
        "wording",
        "reasons",
        "bases",
        "stated",
        "extra",
        "_rows",
    )

    def __init__(
        self,
        *,
        refs: Sequence[str],
        line_nos: Sequence[int],
        skus: Sequence[str],
        line_ids: Sequence[int | None],
        line: Ints,
        quantity: Ints,
        day: Ints,
        wording: Ints,
        reasons: Sequence[str],
        bases: Sequence[str],
        extra: Sequence[Promise] = (),
        stated: Ints | None = None,
    ) -> None:
        self.refs, self.line_nos, self.skus, self.line_ids = refs, line_nos, skus, line_ids
        self.line, self.quantity, self.day, self.wording = line, quantity, day, wording
        self.stated: Ints = day if stated is None else stated
        self.reasons, self.bases = list(reasons), list(bases)
        self.extra: list[Promise] = list(extra)
        self._rows: list[Promise] | None = None

    def __len__(self) -> int:
        return len(self.line) + len(self.extra)

    @overload
    def __getitem__(self, index: int) -> Promise: ...

    @overload
    def __getitem__(self, index: slice) -> list[Promise]: ...

    def __getitem__(self, index: int | slice) -> Promise | list[Promise]:
        if self._rows is None and isinstance(index, slice):
            return self._sliced(index)
        return self.rows()[index]

    def _sliced(self, index: slice) -> list[Promise]:
        """The rows of a slice, building only those (the first rows a terminal shows of a
        million): the same tuples `rows()[index]` gives."""
        start, stop, step = index.indices(len(self))
        if step != 1:
            return self.rows()[index]
        count = len(self.line)
        head, tail = (
            slice(min(start, count), min(max(stop, start), count)),
            slice(max(start - count, 0), max(stop - count, 0)),
        )
        part = self.taking(head, self.extra[tail])
        return part.rows()

    def rows(self) -> list[Promise]:
        """Every promise as a tuple (built on first use, then kept)."""
        if self._rows is None:
            days = as_dates(self.day)
            columns = self.fields(
                as_decimals(self.quantity), days, days if self.unadjusted else as_dates(self.stated)
            )
            # tuple.__new__ builds each row without a Python-level call: a million rows in a blink.
            self._rows = list(map(tuple.__new__, repeat(Promise), columns)) + self.extra
        return self._rows

    def of_skus(self, skus: frozenset[str]) -> PromiseTable:
        """Only the promises of lines of these SKUs."""
        return self._keeping(flags(self.skus, skus), [p for p in self.extra if p.sku in skus])

    def of_orders(self, keep: Callable[[str], bool]) -> PromiseTable:
        """Only the promises of the orders whose ref `keep` accepts."""
        wanted = np.fromiter((keep(ref) for ref in self.refs), dtype=np.bool_, count=len(self.refs))
        return self._keeping(wanted, [p for p in self.extra if keep(p.order_ref)])

    def _keeping(self, wanted_lines: NDArray[np.bool_], extra: list[Promise]) -> PromiseTable:
        """The promises of the lines marked in `wanted_lines` (one flag per line), then `extra`."""
        rows = np.flatnonzero(wanted_lines[self.line]) if len(self.line) else self.line
        return self.taking(rows, extra)

    def taking(self, rows: Ints | slice, extra: list[Promise]) -> PromiseTable:
        """The table's column rows `rows` (positions or a slice), then `extra` promises."""
        return PromiseTable(
            refs=self.refs,
            line_nos=self.line_nos,
            skus=self.skus,
            line_ids=self.line_ids,
            line=self.line[rows],
            quantity=self.quantity[rows],
            day=self.day[rows],
            wording=self.wording[rows],
            reasons=self.reasons,
            bases=self.bases,
            extra=extra,
            stated=None if self.unadjusted else self.stated[rows],
        )

    @property
    def unadjusted(self) -> bool:
        """No day was moved by suppliers' history: `stated` is `day` itself."""
        return self.stated is self.day

    def fields(
        self, quantities: Sequence[Any], days: Sequence[Any], stated: Sequence[Any]
    ) -> Iterator[tuple[Any, ...]]:
        """Each row's order ref, line no, SKU, quantity, date, reason, basis and stated date; the
        quantities and dates as the caller converted them (Decimals and dates, or JSON numbers
        and ISO strings)."""
        return zip(
            self.column(self.refs),
            self.column(self.line_nos),
            self.column(self.skus),
            quantities,
            days,
            objects(self.reasons, self.wording),
            objects(self.bases, self.wording),
            stated,
            strict=True,
        )

    def column(self, values: Sequence[Any]) -> list[Any]:
        """One of the input-line columns (`refs`, `line_nos`, `skus`) per row."""
        return objects(values, self.line)


def json_numbers(micro: Ints) -> list[int | float]:
    """Micro-units as JSON numbers (ints when whole), each distinct value converted once."""
    values, index = distinct(micro)
    return objects([plain_number(Decimal(v) / SCALE) for v in values.tolist()], index)


def iso_dates(days: Ints) -> list[str | None]:
    """Day numbers as ISO dates, NONE as None, each distinct value converted once."""
    real = days[days < NONE]
    unknown = (int(real.max()) + 1) if len(real) else 0
    values, index = distinct(np.where(days >= NONE, unknown, days))
    words = [date.fromordinal(v).isoformat() if len(real) and v < unknown else None for v in values.tolist()]
    return objects(words, index)
