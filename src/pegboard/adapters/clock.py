"""Clocks: the real one in the shop's time zone, and a fixed business date for reproducible runs.

Both keep one rule: `now()` is the shop's wall-clock time (without a zone), so the date of
anything stamped `now()` (an order, a backorder) is `today()`, the shop's day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo


def _real_time() -> datetime:
    return datetime.now(UTC)


class SystemClock:
    """Today and now from the machine's clock, in the shop's zone (None: the machine's zone)."""

    def __init__(self, zone: tzinfo | None = None, *, source: Callable[[], datetime] = _real_time) -> None:
        self._zone = zone
        self._source = source

    def now(self) -> datetime:
        return self._source().astimezone(self._zone).replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A fixed business date (`--today`, tests). `now` runs through that date's afternoon at half
    the real speed: the real midnight is noon and the real day's end is the fixed day's end. So
    stamps stay in order, across processes too, and whatever the hour a run starts, what it
    stamps comes after the morning's orders it imports (the demo's, placed 09:00 to 11:00)."""

    def __init__(
        self, today: date, zone: tzinfo | None = None, *, source: Callable[[], datetime] = _real_time
    ) -> None:
        self._today = today
        self._zone = zone
        self._source = source

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        real = self._source().astimezone(self._zone).replace(tzinfo=None)
        since_midnight = real - datetime.combine(real.date(), time())
        return datetime.combine(self._today, _NOON) + since_midnight / 2


_NOON = time(12)
