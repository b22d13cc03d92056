"""What history teaches, as JSON-ready dicts: supplier reliability, forecasts, reorder points.

The same shapes serve `--json` and, later, the API; rates are fractions 0..1, days and
quantities JSON numbers rounded to two places, dates ISO.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pegboard.planning.forecasting import Forecast
from pegboard.planning.reliability import Distribution, Reliability
from pegboard.planning.reorder import ReorderProposal
from pegboard.views.json import number


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _days(found: Distribution | None, field: str) -> float | None:
    return None if found is None else _round(getattr(found, field))


def reliability(figures: Reliability) -> dict[str, Any]:
    """One supplier's (or supplier and item's) history count, on-time rate, lateness and lead time."""
    return {
        "receipts": figures.count,
        "learned": figures.learned,
        "on_time_rate": _round(figures.on_time_rate),
        "lateness_mean_days": _days(figures.lateness, "mean"),
        "lateness_p90_days": _days(figures.lateness, "p90"),
        "lead_time_p50_days": _days(figures.lead_time, "p50"),
        "lead_time_p90_days": _days(figures.lead_time, "p90"),
    }


def suppliers(
    per_supplier: list[Reliability], per_item: dict[tuple[str, str], Reliability]
) -> list[dict[str, Any]]:
    """Each supplier with its figures and those of its items that have enough history."""
    return [
        {
            "supplier": r.supplier,
            **reliability(r),
            "items": [
                {"sku": sku, **reliability(pair)}
                for (name, sku), pair in sorted(per_item.items())
                if name == r.supplier
            ],
        }
        for r in per_supplier
    ]


def forecast(found: Forecast) -> dict[str, Any]:
    """A SKU's history and forecast by bucket, the model chosen and the backtest's MASE per model."""
    return {
        "sku": found.sku,
        "bucket": found.bucket,
        "model": found.model,
        "mase": _round(found.mase),
        "naive_mase": _round(found.naive_mase),
        "mean_per_day": _round(found.mean_per_day),
        "history": [{"date": d.isoformat(), "quantity": _round(q)} for d, q in found.history],
        "forecast": [{"date": d.isoformat(), "quantity": _round(q)} for d, q in found.values],
        "scores": [{"model": s.model, "mase": _round(s.mase)} for s in found.scores],
    }


def _quantity(value: Decimal | None) -> float | int | None:
    return None if value is None else number(value)


def reorder_point(p: ReorderProposal, *, applied: bool | None = None) -> dict[str, Any]:
    """Current and proposed safety stock and reorder point, what they rest on and their effect."""
    row: dict[str, Any] = {
        "sku": p.sku,
        "service_level": p.service_level,
        "demand_per_day": _round(p.demand.mean),
        "demand_std_per_day": _round(p.demand.std),
        "lead_time_days": None if p.lead_time is None else _round(p.lead_time.mean),
        "lead_time_std_days": None if p.lead_time is None else _round(p.lead_time.std),
        "lead_time_learned": None if p.lead_time is None else p.lead_time.learned,
        "current_safety_stock": _quantity(p.current_safety_stock),
        "safety_stock": _quantity(p.safety_stock),
        "current_reorder_point": _quantity(p.current_reorder_point),
        "reorder_point": _quantity(p.reorder_point),
        "current_stockout_probability": _round3(p.current_stockout_probability),
        "stockout_probability": _round3(p.stockout_probability),
        "extra_stock_value": _quantity(p.extra_stock_value),
        "problem": p.problem,
    }
    if applied is not None:
        row["applied"] = applied
    return row


def _round3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
