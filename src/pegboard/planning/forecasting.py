"""Demand forecasts per SKU from order history, the model chosen per SKU by a rolling backtest.

Models come from statsforecast (README, "Forecasts"): Croston, TSB and ADIDA for intermittent
demand (many empty buckets), AutoETS for level, trend and seasonality (weekly cycle on daily
buckets, yearly on weekly ones once two cycles of history exist), and the naive forecast (the
last bucket again) as the baseline every model must beat.

The backtest is rolling-origin: the last `FOLDS` windows of `horizon` buckets are each forecast
from the history before them; a model's error is scaled by the in-sample mean absolute change
between buckets (MASE: below 1 beats the one-step naive forecast in-sample). The model with the
lowest MASE forecasts the future from the whole history; the naive forecast is only the yardstick
(its MASE is reported beside), never chosen: on intermittent daily buckets it often wins on
absolute error by saying 0, which is no basis for a reorder point.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Bucket length in days, and the season length (in buckets) looked for.
BUCKET_DAYS = {"day": 1, "week": 7}
SEASON = {"day": 7, "week": 52}
#: History read per bucket size: a year of days, two years of weeks.
HISTORY_BUCKETS = {"day": 364, "week": 104}
FOLDS = 3
#: Buckets needed before a backtest: fewer, and the forecast is the history's average.
MIN_TRAIN = 8

Series = NDArray[np.float64]


@dataclass(frozen=True)
class ModelScore:
    """One model's backtest accuracy (MASE)."""

    model: str
    mase: float


@dataclass(frozen=True)
class Forecast:
    """A SKU's demand history and forecast in buckets, the model chosen and how well it did."""

    sku: str
    bucket: str
    #: (first day of the bucket, quantity ordered), oldest first, ending yesterday.
    history: tuple[tuple[date, float], ...]
    #: (first day of the bucket, quantity expected), from today on.
    values: tuple[tuple[date, float], ...]
    model: str
    #: The chosen model's backtest MASE, and the naive forecast's (None: too little history).
    mase: float | None
    naive_mase: float | None
    #: Standard deviation of the chosen model's backtest error per bucket.
    error_std: float
    scores: tuple[ModelScore, ...]

    @property
    def mean_per_day(self) -> float:
        """Expected demand per day over the forecast."""
        if not self.values:
            return 0.0
        return sum(v for _, v in self.values) / (len(self.values) * BUCKET_DAYS[self.bucket])

    @property
    def error_std_per_day(self) -> float:
        """A bucket's error spread scaled to one day (independent days: divide by sqrt of its length)."""
        return self.error_std / math.sqrt(BUCKET_DAYS[self.bucket])


def bucketed(
    daily: Mapping[date, Decimal], *, today: date, bucket: str, start: date | None = None
) -> list[tuple[date, float]]:
    """Daily quantities summed into whole buckets ending yesterday, from the first demand on.

    The window starts at the first day with demand (or `start`), but never more than
    `HISTORY_BUCKETS` buckets back; empty buckets are zeros.
    """
    size = BUCKET_DAYS[bucket]
    first = min(daily, default=None) if start is None else start
    if first is None or first >= today:
        return []
    count = min(HISTORY_BUCKETS[bucket], -(-(today - first).days // size))
    begin = today - timedelta(days=count * size)
    sums = [0.0] * count
    for day, quantity in daily.items():
        if begin <= day < today:
            sums[(day - begin).days // size] += float(quantity)
    return [(begin + timedelta(days=i * size), sums[i]) for i in range(count)]


def load_models() -> None:
    """Import the forecasting library now: it takes seconds (it compiles its models), once per process."""
    _models(SEASON["week"], 0)


def models_loaded() -> bool:
    """Whether this process has imported the forecasting library (a first backtest or `load_models`)."""
    return _MODELS_MODULE in sys.modules


_MODELS_MODULE = "statsforecast.models"


def _models(season: int, n: int) -> dict[str, Callable[[], Any]]:
    """The candidate models for a series of `n` buckets (seasonal ones only with two seasons)."""
    from statsforecast.models import ADIDA, TSB, AutoETS, CrostonClassic, Naive, SeasonalNaive

    seasonal = season > 1 and n >= 2 * season + MIN_TRAIN
    models: dict[str, Callable[[], Any]] = {
        "naive": Naive,
        "croston": CrostonClassic,
        "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
        "adida": ADIDA,
        "ets": lambda: AutoETS(season_length=season if seasonal else 1),
    }
    if seasonal:
        models["seasonal_naive"] = lambda: SeasonalNaive(season_length=season)
    return models


def _predict(factory: Callable[[], Any], history: Series, horizon: int) -> Series:
    """A model's point forecast; a model that cannot fit the series forecasts its average."""
    if not history.any():
        return np.zeros(horizon)
    try:
        mean = np.asarray(factory().forecast(y=history, h=horizon)["mean"], dtype=np.float64)
    except (ValueError, ZeroDivisionError, FloatingPointError):
        mean = np.full(horizon, float(history.mean()))
    return np.where(np.isfinite(mean), np.maximum(mean, 0.0), float(history.mean()))


def backtest(y: Series, *, horizon: int, season: int) -> dict[str, tuple[float, float]]:
    """Each model's (MASE, error standard deviation) over the last `FOLDS` windows of `horizon`."""
    n = len(y)
    folds = min(FOLDS, (n - MIN_TRAIN) // horizon)
    if folds < 1:
        return {}
    scale = float(np.mean(np.abs(np.diff(y)))) if n > 1 else 0.0
    if scale == 0:
        scale = float(np.mean(np.abs(y))) or 1.0
    scores: dict[str, tuple[float, float]] = {}
    for name, factory in _models(season, n - horizon).items():
        errors = np.concatenate(
            [
                y[n - k * horizon : n - (k - 1) * horizon] - _predict(factory, y[: n - k * horizon], horizon)
                for k in range(folds, 0, -1)
            ]
        )
        scores[name] = (float(np.mean(np.abs(errors))) / scale, float(np.sqrt(np.mean(errors**2))))
    return scores


def forecast(
    sku: str, daily: Mapping[date, Decimal], *, today: date, bucket: str = "week", horizon: int = 8
) -> Forecast:
    """The SKU's forecast for `horizon` buckets from today, by the model its backtest favours."""
    history = bucketed(daily, today=today, bucket=bucket)
    y = np.array([q for _, q in history], dtype=np.float64)
    size = BUCKET_DAYS[bucket]
    days = [today + timedelta(days=i * size) for i in range(horizon)]
    scores = backtest(y, horizon=horizon, season=SEASON[bucket]) if len(y) else {}
    if not scores:
        mean = float(y.mean()) if len(y) else 0.0
        spread = float(y.std()) if len(y) else 0.0
        values = [(d, mean) for d in days]
        return Forecast(sku, bucket, tuple(history), tuple(values), "average", None, None, spread, ())
    model = min((name for name in scores if name != "naive"), key=lambda name: scores[name][0])
    predicted = _predict(_models(SEASON[bucket], len(y))[model], y, horizon)
    ranked = tuple(
        ModelScore(name, mase) for name, (mase, _) in sorted(scores.items(), key=lambda s: s[1][0])
    )
    return Forecast(
        sku,
        bucket,
        tuple(history),
        tuple(zip(days, (float(v) for v in predicted), strict=True)),
        model,
        scores[model][0],
        scores["naive"][0],
        scores[model][1],
        ranked,
    )
