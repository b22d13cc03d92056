"""Clocks: the real one, and a fixed business date for reproducible runs (`--today`)."""

from __future__ import annotations

from datetime import UTC, date, datetime


class SystemClock:
    """Today and now from the machine's clock, in UTC."""

    def today(self) -> date:
        return datetime.now(UTC).date()

    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)


class FixedClock:
    """A fixed business date; `now` is that date at the real time of day, so order stays ordered."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        return datetime.combine(self._today, datetime.now(UTC).time())
