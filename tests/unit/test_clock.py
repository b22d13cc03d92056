"""The clocks: "today" is the shop's day in its time zone, and now() always falls on today()."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pegboard.adapters.clock import FixedClock, SystemClock
from pegboard.config import Settings


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "utc", "shop_day"),
    [
        ("Pacific/Auckland", "2026-11-23T23:30:00", date(2026, 11, 24)),  # UTC+13: already tomorrow
        ("America/Los_Angeles", "2026-11-24T03:00:00", date(2026, 11, 23)),  # UTC-8: still yesterday
        ("UTC", "2026-11-23T23:30:00", date(2026, 11, 23)),
    ],
)
def test_today_is_the_date_in_the_shops_zone_not_in_utc(zone: str, utc: str, shop_day: date) -> None:
    clock = SystemClock(ZoneInfo(zone), source=lambda: at(utc))

    assert clock.today() == shop_day
    assert clock.now().date() == shop_day and clock.now().tzinfo is None


def test_a_fixed_day_keeps_its_date_in_any_zone() -> None:
    clock = FixedClock(date(2026, 11, 23), ZoneInfo("Pacific/Kiritimati"))

    assert clock.today() == date(2026, 11, 23) == clock.now().date()


def test_an_unknown_zone_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a known time zone"):
        Settings(timezone="Mars/Olympus")
