"""Demand forecasts: the backtest picks a model that beats the naive forecast on seeded series."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from pegboard.planning.forecasting import bucketed, forecast

TODAY = date(2026, 12, 7)


def _daily(values: list[float]) -> dict[date, Decimal]:
    """Quantities for the days just before TODAY, oldest first."""
    first = TODAY - timedelta(days=len(values))
    return {first + timedelta(days=i): Decimal(str(v)) for i, v in enumerate(values) if v}


def test_a_weekly_pattern_is_forecast_better_than_the_naive_forecast() -> None:
    rng = np.random.default_rng(7)
    weekday = [2, 10, 12, 11, 9, 14, 3]
    values = [float(rng.poisson(weekday[i % 7])) for i in range(182)]

    result = forecast("LAMP", _daily(values), today=TODAY, bucket="day", horizon=14)

    assert result.mase is not None and result.naive_mase is not None
    assert result.mase < result.naive_mase
    assert result.model != "naive"


def test_intermittent_demand_is_forecast_better_than_the_naive_forecast() -> None:
    rng = np.random.default_rng(11)
    values = [float(rng.poisson(4)) if rng.random() < 0.15 else 0.0 for _ in range(56 * 7)]

    result = forecast("KYBER-GREEN", _daily(values), today=TODAY, bucket="week", horizon=8)

    assert result.mase is not None and result.naive_mase is not None
    assert result.mase < result.naive_mase
    assert math.isclose(result.mean_per_day, 0.15 * 4, rel_tol=0.5)


def test_buckets_are_whole_weeks_ending_yesterday_with_empty_weeks_as_zero() -> None:
    daily = {TODAY - timedelta(days=1): Decimal(3), TODAY - timedelta(days=20): Decimal(2)}

    weeks = bucketed(daily, today=TODAY, bucket="week")

    assert weeks == [
        (TODAY - timedelta(days=21), 2.0),
        (TODAY - timedelta(days=14), 0.0),
        (TODAY - timedelta(days=7), 3.0),
    ]


def test_a_sku_without_history_is_forecast_as_zero_by_its_average() -> None:
    result = forecast("NEW-THING", {}, today=TODAY, bucket="week", horizon=4)

    assert (result.model, result.mase, result.mean_per_day) == ("average", None, 0.0)
    assert [d for d, _ in result.values] == [TODAY + timedelta(days=7 * i) for i in range(4)]
