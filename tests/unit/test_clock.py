"""The clocks: "today" is the shop's day in its time zone, and now() always falls on today()."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
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


@pytest.mark.parametrize(
    ("utc", "fixed_now"),
    [
        ("2026-12-07T00:00:00", "2026-11-23T12:00:00"),
        ("2026-12-07T00:23:54", "2026-11-23T12:11:57"),
        ("2026-12-07T10:00:00", "2026-11-23T17:00:00"),
        ("2026-12-07T23:59:59.999998", "2026-11-23T23:59:59.999999"),
    ],
)
def test_a_fixed_day_runs_through_its_afternoon_whatever_the_real_hour(utc: str, fixed_now: str) -> None:
    clock = FixedClock(date(2026, 11, 23), ZoneInfo("UTC"), source=lambda: at(utc))

    assert clock.now() == datetime.fromisoformat(fixed_now)


def test_a_fixed_days_now_comes_after_the_demos_morning_orders_and_keeps_real_order() -> None:
    moments = ["2026-12-07T00:00:01", "2026-12-07T00:00:02", "2026-12-07T09:30:00", "2026-12-07T23:00:00"]
    stamps = [FixedClock(date(2026, 11, 23), ZoneInfo("UTC"), source=partial(at, m)).now() for m in moments]

    assert stamps == sorted(stamps)
    assert all(datetime(2026, 11, 23, 11, 0) < stamp < datetime(2026, 11, 24) for stamp in stamps)


def test_an_unknown_zone_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a known time zone"):
        Settings(timezone="Mars/Olympus")
