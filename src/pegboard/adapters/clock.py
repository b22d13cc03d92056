"""Clocks: the real one in the shop's time zone, and a fixed business date for reproducible runs.

Both keep one rule: `now()` is the shop's wall-clock time (without a zone), so the date of
anything stamped `now()` (an order, a backorder) is `today()`, the shop's day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo


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
    """A fixed business date; `now` is that date at the shop's real time of day, so order stays ordered."""

    def __init__(self, today: date, zone: tzinfo | None = None) -> None:
        self._today = today
        self._zone = zone

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        return datetime.combine(self._today, datetime.now(UTC).astimezone(self._zone).time())
