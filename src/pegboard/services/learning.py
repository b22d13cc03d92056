"""Learning from history: supplier reliability, demand forecasts and computed reorder points.

Reading is one read transaction each; applying reorder points is one transaction that writes
every item's new values, their history and who applied them, or nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from pegboard.domain.errors import InvalidValue, UnknownSku
from pegboard.domain.items import BillsOfMaterials
from pegboard.planning import reorder
from pegboard.planning.collector import keep_out_of_collection
from pegboard.planning.forecasting import Forecast, forecast, load_models, models_loaded
from pegboard.planning.reliability import Delivery, Reliability, item_reliability, supplier_reliability
from pegboard.planning.reorder import DemandRate, ReorderChange, ReorderItem, ReorderProposal
from pegboard.services.users import WithUsers

#: Reorder points look this far ahead: eight weekly buckets.
REORDER_BUCKET, REORDER_HORIZON = "week", 8


class LearningRepository(Protocol):
    """The history learned from (receipts, daily demand, items) and where applied values go."""

    def deliveries(self) -> list[Delivery]: ...

    def daily_demand(self, skus: Sequence[str] | None = None) -> dict[str, dict[date, Decimal]]: ...

    def reorder_items(self) -> list[ReorderItem]: ...

    def apply_reorder_points(self, changes: Sequence[ReorderChange], *, actor: str) -> None: ...

    def set_service_level(self, sku: str, level: Decimal | None) -> bool: ...


class WithLearning(WithUsers, Protocol):
    """A unit of work that also reads the history to learn from."""

    @property
    def learning(self) -> LearningRepository: ...


@dataclass(frozen=True)
class SupplierFigures:
    """Every supplier's learned figures, and those of each supplier and item with enough history."""

    suppliers: list[Reliability]
    items: dict[tuple[str, str], Reliability]


def valid_service_level(value: float, *, field: str = "service_level") -> float:
    """A target service level strictly between 0 and 1 (0.95 is 95% of cycles without a stockout)."""
    if not (isinstance(value, float | int) and math.isfinite(value) and 0 < value < 1):
        raise InvalidValue(field, value, "must be a fraction between 0 and 1, e.g. 0.95")
    return float(value)


def supplier_figures(*, uow: WithLearning) -> SupplierFigures:
    """What each supplier's receipts say about its lateness and lead time."""
    with uow:
        history = uow.learning.deliveries()
    return SupplierFigures(supplier_reliability(history), item_reliability(history))


def demand_forecasts(
    sku: str | None, *, uow: WithLearning, today: date, bucket: str = "week", horizon: int = 8
) -> list[Forecast]:
    """One SKU's forecast, or every SKU's with demand history, by SKU."""
    with uow:
        if sku is not None and uow.catalogue.item(sku) is None:
            raise UnknownSku(sku)
        demand = uow.learning.daily_demand(None if sku is None else [sku])
    skus = [sku] if sku is not None else sorted(demand)
    return [
        _forecast(s, tuple(sorted(demand.get(s, {}).items())), today=today, bucket=bucket, horizon=horizon)
        for s in skus
    ]


def prepare_forecasts() -> None:
    """Load the forecasting models ahead (seconds, once per process), so that the first forecast
    a server is asked for (an item page's) does not wait for them."""
    load_models()
    keep_out_of_collection()  # the library's modules; its models, compiled on a first forecast, follow then


@lru_cache(maxsize=4096)
def _forecast(
    sku: str, days: tuple[tuple[date, Decimal], ...], *, today: date, bucket: str, horizon: int
) -> Forecast:
    """The forecast of the same history on the same day is the same: made once (item page views)."""
    made = forecast(sku, dict(days), today=today, bucket=bucket, horizon=horizon)
    _keep_the_library()
    return made


_library_kept = False


def _keep_the_library() -> None:
    """After the first forecast made with the forecasting library loaded (it compiles its models
    then), move every object alive to the collector's permanent generation, once per process.

    The library brings over a hundred thousand objects (modules, classes, compiled models) that
    live as long as the process; left in the collected generations, every full collection walks
    them all (100 ms and more) on whichever request happens to set one off. The server freezes
    what it built at start (`long_lived`), but the library loads later, on demand or in the
    background.
    """
    global _library_kept
    if not _library_kept and models_loaded():
        _library_kept = True
        keep_out_of_collection()


def reorder_points(*, uow: WithLearning, today: date, service_level: float) -> list[ReorderProposal]:
    """Current and proposed safety stock and reorder point of every item, by SKU (writes nothing)."""
    level = valid_service_level(service_level)
    with uow:
        items = uow.learning.reorder_items()
        history = uow.learning.deliveries()
        demand = uow.learning.daily_demand()
        boms = uow.catalogue.boms()
    return _proposals(items, history, demand, boms, today=today, service_level=level)


def apply_reorder_points(
    *, uow: WithLearning, today: date, service_level: float, actor: str
) -> list[ReorderChange]:
    """Write every proposal that changes an item, its history and who applied it; all or nothing."""
    proposals = reorder_points(uow=uow, today=today, service_level=service_level)
    changed = reorder.changes(proposals)
    with uow:
        uow.learning.apply_reorder_points(changed, actor=actor)
        for c in changed:
            uow.users.record(
                actor,
                "reorder-points",
                c.sku,
                f"safety stock {c.old_safety_stock} -> {c.new_safety_stock}, reorder point "
                f"{c.old_reorder_point} -> {c.new_reorder_point} at service level {c.service_level}",
            )
        uow.commit()
    return changed


def set_service_level(sku: str, level: float | None, *, uow: WithLearning, actor: str) -> None:
    """Give one item its own target service level (None: back to the shop's setting), recorded with who."""
    stored = None if level is None else Decimal(str(valid_service_level(level, field="LEVEL")))
    with uow:
        if not uow.learning.set_service_level(sku, stored):
            raise UnknownSku(sku)
        said = "the shop's setting" if stored is None else str(stored)
        uow.users.record(actor, "service-level", sku, f"service level {said}")
        uow.commit()


def _proposals(
    items: Sequence[ReorderItem],
    history: Sequence[Delivery],
    demand: Mapping[str, Mapping[date, Decimal]],
    boms: BillsOfMaterials,
    *,
    today: date,
    service_level: float,
) -> list[ReorderProposal]:
    """Forecast each SKU's own demand, add its parents' through the BOM, then size its buffer."""
    own = {}
    for sku, days in demand.items():
        series = tuple(sorted(days.items()))
        made = _forecast(sku, series, today=today, bucket=REORDER_BUCKET, horizon=REORDER_HORIZON)
        own[sku] = DemandRate(made.mean_per_day, made.error_std_per_day)
    lines = {
        parent: [(line.component_sku, line.quantity_per) for line in boms.components(parent)]
        for parent in boms.lines
    }
    total = reorder.total_demand(own, lines)
    per_supplier = {r.supplier: r for r in supplier_reliability(history)}
    per_item = item_reliability(history)
    return [
        reorder.propose(
            item,
            demand=total.get(item.sku, DemandRate(0.0, 0.0)),
            lead_time=reorder.lead_time_of(item, per_supplier=per_supplier, per_item=per_item),
            service_level=service_level,
        )
        for item in items
    ]
