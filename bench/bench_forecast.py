"""Forecasts and reorder points: the time per SKU, pure (no database), on seeded demand.

    python -m bench.bench_forecast [--skus 50] [--bucket week|day]

Half the SKUs sell most days with a weekly pattern, half now and then (intermittent); every
SKU has a year of daily history. Prints the statsforecast import time, then the time to
forecast every SKU (backtest of every model, then the chosen one) and the reorder proposals.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

TODAY = date(2026, 12, 7)


def demand(skus: int, seed: int = 1) -> dict[str, dict[date, Decimal]]:
    """A year of daily orders per SKU: weekly-patterned for even SKUs, intermittent for odd ones."""
    rng = np.random.default_rng(seed)
    found: dict[str, dict[date, Decimal]] = {}
    for k in range(skus):
        days: dict[date, Decimal] = {}
        for i in range(364):
            day = TODAY - timedelta(days=364 - i)
            if k % 2 == 0:
                quantity = int(rng.poisson((2, 8, 9, 8, 7, 10, 1)[i % 7]))
            else:
                quantity = int(rng.poisson(5)) if rng.random() < 0.1 else 0
            if quantity:
                days[day] = Decimal(quantity)
        found[f"SKU-{k:04d}"] = days
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=50)
    parser.add_argument("--bucket", choices=["week", "day"], default="week")
    args = parser.parse_args()
    start = time.perf_counter()
    import statsforecast.models  # noqa: F401

    imported = time.perf_counter() - start
    from pegboard.planning.forecasting import forecast
    from pegboard.planning.reorder import DemandRate, LeadTime, ReorderItem, propose

    history = demand(args.skus)
    horizon = 8 if args.bucket == "week" else 56
    start = time.perf_counter()
    made = [
        forecast(sku, days, today=TODAY, bucket=args.bucket, horizon=horizon) for sku, days in history.items()
    ]
    forecast_s = time.perf_counter() - start
    start = time.perf_counter()
    for f in made:
        item = ReorderItem(f.sku, "buy", "S", 7, Decimal(1), Decimal(0), None, None)
        rate = DemandRate(f.mean_per_day, f.error_std_per_day)
        propose(item, demand=rate, lead_time=LeadTime(7.0, 2.0, learned=True), service_level=0.95)
    reorder_s = time.perf_counter() - start
    beat = sum(1 for f in made if f.mase is not None and f.naive_mase is not None and f.mase < f.naive_mase)
    models = sorted({f.model for f in made})
    print(f"RESULT forecast import_s={imported:.2f}")
    print(
        f"RESULT forecast bucket={args.bucket} skus={args.skus} total_s={forecast_s:.2f} "
        f"per_sku_ms={1000 * forecast_s / args.skus:.0f} beat_naive={beat}/{args.skus} "
        f"models={','.join(models)}"
    )
    print(f"RESULT reorder skus={args.skus} total_ms={1000 * reorder_s:.1f}")


if __name__ == "__main__":
    main()
