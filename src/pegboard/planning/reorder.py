"""Computed safety stock and reorder points for a target service level.

Pure arithmetic on rates handed in: the demand per day and its forecast error (from
`planning/forecasting.py`), the lead time and its spread (learned in `planning/reliability.py`,
else the stated one with no spread). A component's demand is its own plus what its parents'
demand needs of it through the BOM, at every level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist

from pegboard.planning.reliability import Reliability, best_reliability

_NORMAL = NormalDist()


@dataclass(frozen=True)
class ReorderItem:
    """An item as its reorder point sees it: how it is replenished and its current values."""

    sku: str
    procurement: str
    supplier: str | None
    #: The item's lead time, else its supplier's (None: unpredictable).
    lead_time_days: int | None
    cost: Decimal | None
    safety_stock: Decimal
    reorder_point: Decimal | None
    #: The item's own target (None: the shop's setting).
    service_level: Decimal | None


@dataclass(frozen=True)
class DemandRate:
    """Expected demand per day and the standard deviation of a day's forecast error."""

    mean: float
    std: float


@dataclass(frozen=True)
class LeadTime:
    """Days from ordering to receipt: mean and standard deviation, and whether history says so."""

    mean: float
    std: float
    learned: bool


@dataclass(frozen=True)
class ReorderProposal:
    """Current and proposed safety stock and reorder point of one item, and what they mean."""

    sku: str
    service_level: float
    demand: DemandRate
    lead_time: LeadTime | None
    current_safety_stock: Decimal
    current_reorder_point: Decimal | None
    safety_stock: Decimal | None
    reorder_point: Decimal | None
    #: Chance of running out before a replenishment arrives, per cycle, at the current reorder point.
    current_stockout_probability: float | None
    stockout_probability: float | None
    #: (proposed - current safety stock) x cost: the money the change ties up (negative frees it).
    extra_stock_value: Decimal | None
    #: Why there is no proposal (None when there is one).
    problem: str | None = None


@dataclass(frozen=True)
class ReorderChange:
    """One item's values before and after applying a proposal."""

    sku: str
    old_safety_stock: Decimal
    new_safety_stock: Decimal
    old_reorder_point: Decimal | None
    new_reorder_point: Decimal
    service_level: Decimal


def z_score(service_level: float) -> float:
    """The standard normal quantile of the service level (0.95 -> 1.645)."""
    if not 0 < service_level < 1:
        raise ValueError(f"service level {service_level} is not between 0 and 1")
    return _NORMAL.inv_cdf(service_level)


def lead_time_demand_std(demand: DemandRate, lead_time: LeadTime) -> float:
    """Standard deviation of demand over a lead time: sqrt(LT * sigma_d^2 + d^2 * sigma_LT^2)."""
    return math.sqrt(lead_time.mean * demand.std**2 + demand.mean**2 * lead_time.std**2)


def safety_stock(*, service_level: float, demand: DemandRate, lead_time: LeadTime) -> float:
    """Safety stock for a cycle service level, demand and lead time both uncertain.

    safety stock = z * sqrt(LT * sigma_d^2 + d^2 * sigma_LT^2), where z is the standard normal
    quantile of the service level, d and sigma_d the mean demand per day and the standard
    deviation of a day's forecast error, LT and sigma_LT the mean lead time in days and its
    standard deviation. The reorder point is d * LT + safety stock: the stock that covers
    demand over a lead time in `service_level` of the replenishment cycles.
    """
    return max(0.0, z_score(service_level) * lead_time_demand_std(demand, lead_time))


def stockout_probability(reorder_point: float, *, demand: DemandRate, lead_time: LeadTime) -> float:
    """Chance that demand over a lead time exceeds the reorder point (normal approximation)."""
    spread = lead_time_demand_std(demand, lead_time)
    expected = demand.mean * lead_time.mean
    if spread == 0:
        return 0.0 if reorder_point >= expected else 1.0
    return 1.0 - _NORMAL.cdf((reorder_point - expected) / spread)


def total_demand(
    independent: Mapping[str, DemandRate], boms: Mapping[str, Sequence[tuple[str, Decimal]]]
) -> dict[str, DemandRate]:
    """Each SKU's own demand plus its parents' total demand times the quantity per parent unit.

    Parents' demands are taken as independent, so variances add (scaled by quantity squared).
    """
    used_in: dict[str, list[tuple[str, float]]] = {}
    for parent, lines in boms.items():
        for component, quantity in lines:
            used_in.setdefault(component, []).append((parent, float(quantity)))
    done: dict[str, DemandRate] = {}

    def of(sku: str, path: frozenset[str]) -> DemandRate:
        if sku in done:
            return done[sku]
        own = independent.get(sku, DemandRate(0.0, 0.0))
        mean, variance = own.mean, own.std**2
        for parent, quantity in used_in.get(sku, []):
            if parent in path:  # a cycle: BOM import refuses them; never loop forever here
                continue
            upper = of(parent, path | {sku})
            mean += quantity * upper.mean
            variance += (quantity * upper.std) ** 2
        done[sku] = DemandRate(mean, math.sqrt(variance))
        return done[sku]

    for sku in set(independent) | set(used_in) | set(boms):
        of(sku, frozenset())
    return done


def lead_time_of(
    item: ReorderItem,
    *,
    per_supplier: dict[str, Reliability],
    per_item: dict[tuple[str, str], Reliability],
) -> LeadTime | None:
    """A buy item's learned lead time when its supplier has history, else the stated one (no spread)."""
    if item.procurement == "buy" and item.supplier is not None:
        learned = best_reliability(item.supplier, item.sku, per_supplier=per_supplier, per_item=per_item)
        if learned is not None and learned.lead_time is not None:
            return LeadTime(learned.lead_time.mean, learned.lead_time.std, learned=True)
    if item.lead_time_days is None:
        return None
    return LeadTime(float(item.lead_time_days), 0.0, learned=False)


def propose(
    item: ReorderItem, *, demand: DemandRate, lead_time: LeadTime | None, service_level: float
) -> ReorderProposal:
    """The proposal for one item; safety stock and reorder point are rounded up to whole units."""
    level = float(item.service_level) if item.service_level is not None else service_level
    current_point = item.reorder_point
    if item.procurement == "dropship":
        return _none(item, level, demand, lead_time, "drop-shipped: not stocked")
    if lead_time is None:
        return _none(item, level, demand, None, "unpredictable lead time and no receipts to learn from")
    if demand.mean == 0 and demand.std == 0:
        return _none(item, level, demand, lead_time, "no demand in the history")
    stock = _whole(safety_stock(service_level=level, demand=demand, lead_time=lead_time))
    point = _whole(demand.mean * lead_time.mean + float(stock))
    current_risk = None
    if current_point is not None:
        current_risk = stockout_probability(float(current_point), demand=demand, lead_time=lead_time)
    extra = None if item.cost is None else (stock - item.safety_stock) * item.cost
    return ReorderProposal(
        item.sku,
        level,
        demand,
        lead_time,
        item.safety_stock,
        current_point,
        stock,
        point,
        current_risk,
        stockout_probability(float(point), demand=demand, lead_time=lead_time),
        extra,
    )


def changes(proposals: Sequence[ReorderProposal]) -> list[ReorderChange]:
    """What applying the proposals writes: every item with a proposal that differs from today's values."""
    return [
        ReorderChange(
            p.sku,
            p.current_safety_stock,
            p.safety_stock,
            p.current_reorder_point,
            p.reorder_point,
            Decimal(str(p.service_level)),
        )
        for p in proposals
        if p.safety_stock is not None
        and p.reorder_point is not None
        and (p.safety_stock, p.reorder_point) != (p.current_safety_stock, p.current_reorder_point)
    ]


def _whole(value: float) -> Decimal:
    return Decimal(str(round(value, 6))).quantize(Decimal(1), rounding=ROUND_CEILING)


def _none(
    item: ReorderItem, level: float, demand: DemandRate, lead_time: LeadTime | None, problem: str
) -> ReorderProposal:
    return ReorderProposal(
        item.sku,
        level,
        demand,
        lead_time,
        item.safety_stock,
        item.reorder_point,
        None,
        None,
        None,
        None,
        None,
        problem,
    )
