"""The numbers: percentiles, rates and means over facts gathered from the books and the orders.

Everything here is arithmetic on plain data (day counts as histograms, dates, counts); the
database gathers the facts, `views/kpis.py` puts them together. Percentiles use the nearest
rank: the p-th percentile is the smallest value with at least p % of the observations at or
below it (so it is always a value that was observed, and easy to check by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pegboard.domain.errors import InvalidValue

#: Rates are fractions 0..1 to four places; day means to two.
RATE_PLACES = Decimal("0.0001")
DAY_PLACES = Decimal("0.01")
#: The period when none is given: the 30 days up to and including today.
DEFAULT_DAYS = 30
#: The longest period asked for (ten years), and how far past today it may end.
MAX_DAYS = 3660
#: A line ordered from stock (never promised a later date) is on time if it ships within this many
#: days of its order date.
HANDLING_DAYS = 2

#: A histogram of whole days: {days: how many observations}.
Histogram = Mapping[int, int]


@dataclass(frozen=True)
class Period:
    """The days a figure covers, both ends included."""

    start: date
    end: date

    @classmethod
    def of(cls, *, today: date, start: date | None = None, end: date | None = None) -> Period:
        """The period asked for; by default the 30 days ending today. `start` after `end` is refused."""
        last = end or today
        if (last - today).days > MAX_DAYS:
            raise InvalidValue("to", last.isoformat(), f"is more than {MAX_DAYS} days after today")
        first = start or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise InvalidValue(
                "from", first.isoformat(), f"is after the period's last day {last.isoformat()}"
            )
        if (last - first).days >= MAX_DAYS:
            raise InvalidValue("from", first.isoformat(), f"starts a period longer than {MAX_DAYS} days")
        return cls(first, last)

    @property
    def days(self) -> list[date]:
        """Every day of the period, oldest first."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def count(histogram: Histogram) -> int:
    """How many observations a histogram holds."""
    return sum(histogram.values())


def percentile(histogram: Histogram, p: int) -> int | None:
    """The nearest-rank p-th percentile (0 < p <= 100) of a histogram of days; None when empty."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is not in 1..100")
    total = count(histogram)
    if total == 0:
        return None
    rank = -(-p * total // 100)  # ceil(p/100 * total), in whole numbers
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def mean(histogram: Histogram) -> Decimal | None:
    """The mean of a histogram of days, to two places (half up); None when empty."""
    total = count(histogram)
    if total == 0:
        return None
    summed = sum(value * n for value, n in histogram.items())
    return (Decimal(summed) / Decimal(total)).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a fraction 0..1 to four places; None when there is nothing to judge."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def merge(histograms: Iterable[Histogram]) -> dict[int, int]:
    """One histogram adding up several."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for value, n in histogram.items():
            merged[value] = merged.get(value, 0) + n
    return merged


def at_least(histogram: Histogram, threshold: int) -> int:
    """How many observations are `threshold` or more."""
    return sum(n for value, n in histogram.items() if value >= threshold)


def open_trend(*, opened: Mapping[date, int], ended: Mapping[date, int], days: Sequence[date]) -> list[int]:
    """Lines on backorder at the end of each day: opened on or before it, minus ended on or before it.

    `opened` counts lines by the day they first went on backorder, `ended` those same lines by
    the day they left it (a line opened and ended is in both).
    """
    if not days:
        return []
    found = []
    before = sum(n for d, n in opened.items() if d < days[0]) - sum(
        n for d, n in ended.items() if d < days[0]
    )
    for day in days:
        before += opened.get(day, 0) - ended.get(day, 0)
        found.append(before)
    return found


def rate(value: float | None) -> Decimal | None:
    """A fraction worked out elsewhere, to the rates' four places (half up)."""
    return None if value is None else Decimal(repr(value)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def days_mean(value: float | None) -> Decimal | None:
    """A mean of days worked out elsewhere, to the day means' two places (half up)."""
    return None if value is None else Decimal(repr(value)).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SupplierReliability:
    """How one supplier (or all of them) kept the dates first given on its POs, in the KPIs' places.

    The figures are `planning/reliability.py`'s, one definition for planning and the KPIs: per
    receipt, weighted by the quantity received, against the PO line's first expected date.
    """

    supplier: str
    #: Receipts in the period (the JSON key says lines: one receipt of one PO line each).
    lines_received: int
    #: Those with a first expected date to judge them by.
    lines_judged: int
    on_time_rate: Decimal | None
    mean_slip_days: Decimal | None
