"""Configurations in planning: each is its own made-to-order item; promises name the real SKU."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from pegboard.planning.configurations import configure, configured_sku, split_sku
from pegboard.planning.engine import plan
from pegboard.planning.snapshot import BackorderDemand, PlanBomLine, PlanConfiguration, PlanInput, PlanItem

TODAY = date(2026, 11, 23)


def workshop(*demands: BackorderDemand) -> PlanInput:
    return PlanInput(
        today=TODAY,
        items=[
            PlanItem("SABER", "make", 1),
            PlanItem("HILT", "buy", 3, "Traders"),
            PlanItem("HILT-ENGRAVED", "buy", 5, "Traders"),
        ],
        bom_lines=[PlanBomLine("SABER", "HILT", Decimal(1))],
        available={"SABER": Decimal(5), "HILT": Decimal(5)},
        demands=demands,
        configurations=[PlanConfiguration("SABER", "HILT=engraved", (("HILT-ENGRAVED", Decimal(1)),))],
    )


def test_a_configured_demand_is_planned_on_its_own_bom_without_the_plain_stock() -> None:
    engraved = BackorderDemand("SO-1", 1, "SABER", Decimal(2), options="HILT=engraved")
    plain = BackorderDemand("SO-2", 1, "SABER", Decimal(2))

    result = plan(workshop(engraved, plain))

    by_ref = {p.order_ref: p for p in result.promises}
    assert (by_ref["SO-1"].sku, by_ref["SO-1"].date) == ("SABER", date(2026, 11, 29))  # 5 days + 1
    assert by_ref["SO-2"].date == TODAY  # five plain sabers on the shelf
    assert [(s.sku, s.quantity) for s in result.production_suggestions] == [("SABER [HILT=engraved]", 2)]
    assert [(s.sku, s.quantity) for s in result.purchase_suggestions] == [("HILT-ENGRAVED", 2)]


def test_a_snapshot_without_configured_demand_is_left_as_it_is() -> None:
    snapshot = workshop(BackorderDemand("SO-2", 1, "SABER", Decimal(2)))

    assert configure(snapshot) == (snapshot, {})
    assert split_sku(configured_sku("SABER", "HILT=engraved")) == ("SABER", "HILT=engraved")
    assert split_sku("SABER") == ("SABER", "")


def test_a_configured_demand_is_netted_against_its_configurations_kept_stock_only() -> None:
    engraved = BackorderDemand("SO-1", 1, "SABER", Decimal(3), options="HILT=engraved")
    other = BackorderDemand("SO-2", 1, "SABER", Decimal(1), options="HILT=carved")
    snapshot = replace(
        workshop(engraved, other),
        configurations=[
            PlanConfiguration("SABER", "HILT=engraved", (("HILT-ENGRAVED", Decimal(1)),)),
            PlanConfiguration("SABER", "HILT=carved", (("HILT", Decimal(1)),)),
        ],
        configured_stock={("SABER", "HILT=engraved"): Decimal(2), ("SABER", "HILT=gold"): Decimal(4)},
    )

    result = plan(snapshot)

    parts = sorted((p.order_ref, p.quantity, p.date) for p in result.promises)
    # Two engraved sabers are kept for that configuration; the third is made (5 days + 1).
    assert parts[:2] == [("SO-1", 1, date(2026, 11, 29)), ("SO-1", 2, TODAY)]
    # The carved saber takes neither the engraved nor the gold ones: it is made from a plain hilt.
    assert parts[2] == ("SO-2", 1, TODAY + timedelta(days=1))
    assert sorted((s.sku, s.quantity) for s in result.production_suggestions) == [
        ("SABER [HILT=carved]", 1),
        ("SABER [HILT=engraved]", 1),
    ]
