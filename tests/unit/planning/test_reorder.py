"""Computed safety stock and reorder points: the standard formula, through the BOM."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from pegboard.planning.reorder import (
    DemandRate,
    LeadTime,
    ReorderItem,
    propose,
    safety_stock,
    total_demand,
    z_score,
)

HILT = ReorderItem(
    sku="HILT",
    procurement="buy",
    supplier="Passing Traders",
    lead_time_days=3,
    cost=Decimal("12.50"),
    safety_stock=Decimal(0),
    reorder_point=None,
    service_level=None,
)


def _hilt(**overrides: Any) -> ReorderItem:
    return replace(HILT, **overrides)


def test_safety_stock_follows_the_standard_formula() -> None:
    demand, lead = DemandRate(4.0, 2.0), LeadTime(9.0, 1.5, learned=True)

    stock = safety_stock(service_level=0.95, demand=demand, lead_time=lead)

    assert stock == pytest.approx(1.6449 * math.sqrt(9 * 2.0**2 + 4.0**2 * 1.5**2), rel=1e-4)


def test_reorder_points_rise_with_lead_time_variability() -> None:
    demand = DemandRate(4.0, 2.0)

    points = [
        propose(_hilt(), demand=demand, lead_time=LeadTime(9.0, spread, learned=True), service_level=0.95)
        for spread in (0.0, 1.0, 3.0)
    ]

    stocks = [p.safety_stock or Decimal(-1) for p in points]
    reorder = [p.reorder_point or Decimal(-1) for p in points]
    assert stocks == sorted(stocks) and len(set(stocks)) == 3 and min(stocks) >= 0
    assert reorder == sorted(reorder) and len(set(reorder)) == 3
    assert all(p.stockout_probability is not None and p.stockout_probability <= 0.05 for p in points)


def test_an_items_own_service_level_overrides_the_shops() -> None:
    demand, lead = DemandRate(4.0, 2.0), LeadTime(9.0, 1.0, learned=True)

    own = propose(_hilt(service_level=Decimal("0.99")), demand=demand, lead_time=lead, service_level=0.9)
    shop = propose(_hilt(), demand=demand, lead_time=lead, service_level=0.9)

    assert own.service_level == 0.99 and shop.service_level == 0.9
    assert own.safety_stock is not None and shop.safety_stock is not None
    assert own.safety_stock > shop.safety_stock


def test_components_get_demand_from_their_parents_through_the_bom() -> None:
    independent = {"SABER-GREEN": DemandRate(2.0, 1.0), "SABER-BLUE": DemandRate(1.0, 1.0)}
    boms = {
        "SABER-GREEN": [("HILT", Decimal(1)), ("KYBER-GREEN", Decimal(1))],
        "SABER-BLUE": [("HILT", Decimal(1))],
        "HILT": [("SCREW", Decimal(4))],
    }

    total = total_demand(independent, boms)

    assert total["HILT"].mean == 3.0 and total["HILT"].std == pytest.approx(math.sqrt(2))
    assert total["SCREW"].mean == 12.0 and total["SCREW"].std == pytest.approx(4 * math.sqrt(2))
    assert total["KYBER-GREEN"] == DemandRate(2.0, 1.0)


def test_an_unpredictable_item_without_history_gets_no_proposal() -> None:
    proposal = propose(
        _hilt(lead_time_days=None), demand=DemandRate(1.0, 1.0), lead_time=None, service_level=0.95
    )

    assert proposal.safety_stock is None and proposal.problem is not None


def test_a_service_level_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        z_score(1.0)
