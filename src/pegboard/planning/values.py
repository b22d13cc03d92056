"""From arrays back to Python values: Decimals and dates, each distinct one built once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from pegboard.planning.arrays import NONE, SCALE
from pegboard.planning.segments import Ints

#: A value as JSON holds it; promise parts are stored in this form (`planning.promises`).
JsonValue = int | float | str | None | list["JsonValue"] | dict[str, "JsonValue"]


def plain_number(quantity: Decimal) -> int | float:
    """A quantity as a JSON number: an int when whole, else a float."""
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return float(quantity)


def iso_day(day: date | None) -> str | None:
    """A date as ISO `YYYY-MM-DD`, or None for open term."""
    return None if day is None else day.isoformat()


def distinct(codes: Ints) -> tuple[Ints, Ints]:
    """The distinct values, sorted, and each code's index among them (by direct indexing when
    the values span a small range, which is the usual case, or do but for their largest value,
    as day numbers with open terms (NONE) do; else by sorting)."""
    if len(codes) == 0:
        return codes, codes
    low, high = int(codes.min()), int(codes.max())
    if _small_range(low, high, len(codes)):
        return _distinct_in_range(codes, low, high)
    below = codes < high
    rest = codes[below]
    if len(rest) and _small_range(low, int(rest.max()), len(codes)):
        # The largest value stands apart: the others are indexed directly, it comes last.
        values, inverse = _distinct_in_range(rest, low, int(rest.max()))
        index = np.full(len(codes), len(values), dtype=np.int64)
        index[below] = inverse
        return np.r_[values, np.asarray([high], dtype=codes.dtype)], index
    values, inverse = np.unique(codes, return_inverse=True)
    return values, inverse.reshape(-1)


def _small_range(low: int, high: int, count: int) -> bool:
    """Whether values from `low` to `high` are few enough to index directly for `count` codes."""
    return high - low <= 4 * count + 4096


def _distinct_in_range(codes: Ints, low: int, high: int) -> tuple[Ints, Ints]:
    """`distinct` by direct indexing, the codes being from `low` to `high`."""
    seen = np.zeros(high - low + 1, dtype=np.bool_)
    seen[codes - low] = True
    return np.flatnonzero(seen) + low, (np.cumsum(seen) - 1)[codes - low]


def objects(values: Sequence[Any], index: Ints) -> list[Any]:
    """values[index] as a list, gathered by NumPy; a few of many values (the first rows of a
    plan's promises, which a terminal shows) picked one by one, not copied whole into an array."""
    if len(index) * 16 < len(values):
        return [values[i] for i in index.tolist()]
    table = np.empty(len(values), dtype=object)
    table[:] = values
    return list(table[index].tolist())


def as_decimals(micro: Ints) -> list[Decimal]:
    """Micro-units as Decimals (each distinct value built once)."""
    whole = bool((micro % SCALE == 0).all())
    values, index = distinct(micro // SCALE if whole else micro)
    return objects([Decimal(v) if whole else Decimal(v) / SCALE for v in values.tolist()], index)


def as_dates(days: Ints) -> list[date | None]:
    """Day numbers as dates, NONE as None (each distinct value built once)."""
    real = days[days < NONE]
    unknown = (int(real.max()) + 1) if len(real) else 0
    values, index = distinct(np.where(days >= NONE, unknown, days))
    known = len(real) > 0
    return objects([date.fromordinal(v) if known and v < unknown else None for v in values.tolist()], index)
