"""What history teaches: supplier reliability, forecasts, reorder points (views/learning.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from pegboard.entrypoints.api.schemas.fields import In, Out

ServiceLevel = Annotated[
    float,
    Field(gt=0, lt=1, description="Share of replenishment cycles without a stockout, e.g. 0.95"),
]


class ServiceLevelIn(In):
    """An item's own target service level; null puts it back on the shop's setting."""

    service_level: ServiceLevel | None


class ServiceLevelOut(Out):
    sku: str
    service_level: float | None


class ReliabilityOut(Out):
    receipts: int
    learned: bool
    on_time_rate: float | None
    lateness_mean_days: float | None
    lateness_p90_days: float | None
    lead_time_p50_days: float | None
    lead_time_p90_days: float | None


class ItemReliabilityOut(ReliabilityOut):
    sku: str


class SupplierReliabilityOut(ReliabilityOut):
    supplier: str
    items: list[ItemReliabilityOut]


class BucketOut(Out):
    date: date
    quantity: float | None


class ModelScoreOut(Out):
    model: str
    mase: float | None


class ForecastOut(Out):
    sku: str
    bucket: str
    model: str
    mase: float | None
    naive_mase: float | None
    mean_per_day: float | None
    history: list[BucketOut]
    forecast: list[BucketOut]
    scores: list[ModelScoreOut]


class ReorderPointOut(Out):
    sku: str
    service_level: float
    demand_per_day: float | None
    demand_std_per_day: float | None
    lead_time_days: float | None
    lead_time_std_days: float | None
    lead_time_learned: bool | None
    current_safety_stock: float | None
    safety_stock: float | None
    current_reorder_point: float | None
    reorder_point: float | None
    current_stockout_probability: float | None
    stockout_probability: float | None
    extra_stock_value: float | None
    problem: str | None
    applied: bool | None = Field(default=None, description="Only from apply: whether its values changed")
