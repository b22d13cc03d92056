"""Learning from stored history: supplier reliability and computed reorder points, applied or not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue
from pegboard.entrypoints import demo
from pegboard.services import learning
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.integration.services.learning_story import TODAY, bolts_with_history


def everything(engine: Engine) -> dict[str, tuple[int, list[Any]]]:
    """Every table's row count and rows, to show that nothing changed."""
    with engine.connect() as conn:
        return {
            table.name: (
                conn.execute(select(func.count()).select_from(table)).scalar_one(),
                sorted(map(repr, conn.execute(select(table)).all())),
            )
            for table in t.metadata.sorted_tables
        }


def test_supplier_lateness_counts_from_the_first_expected_date_and_lead_time_from_the_order(
    pb: Pegboard,
) -> None:
    bolts_with_history(pb)

    figures = learning.supplier_figures(uow=pb.reader())

    by_name = {r.supplier: r for r in figures.suppliers}
    erratic, steady = by_name["Erratic Ltd"], by_name["Steady Co"]
    assert (steady.count, steady.on_time_rate) == (6, 1.0)
    assert steady.lead_time is not None and (steady.lead_time.mean, steady.lead_time.std) == (5.0, 0.0)
    assert erratic.count == 6 and erratic.on_time_rate == pytest.approx(3 / 6)
    assert erratic.lateness is not None and erratic.lateness.p90 == 4.0
    # Days 9, 8 and 6 were announced (each PO moved to its day) and came then: late against the
    # date at ordering, on time after notice; days 1, 2 and 4 came early either way.
    after_notice = erratic.late_after_notice
    assert after_notice is not None and sorted(v for v, _ in after_notice.sample) == [-4, -3, -1, 0, 0, 0]
    assert erratic.lead_time is not None and erratic.lead_time.mean == 5.0 and erratic.lead_time.std > 2.5
    assert set(figures.items) == {("Erratic Ltd", "BOLT-ERRATIC"), ("Steady Co", "BOLT-STEADY")}


def test_reorder_points_rise_with_lead_time_variability(pb: Pegboard) -> None:
    bolts_with_history(pb)

    proposals = {p.sku: p for p in learning.reorder_points(uow=pb.reader(), today=TODAY, service_level=0.95)}

    steady, erratic = proposals["BOLT-STEADY"], proposals["BOLT-ERRATIC"]
    assert steady.demand == erratic.demand and steady.demand.mean > 0
    assert steady.lead_time is not None and erratic.lead_time is not None
    assert steady.lead_time.mean == erratic.lead_time.mean
    assert steady.safety_stock is not None and erratic.safety_stock is not None
    assert steady.reorder_point is not None and erratic.reorder_point is not None
    assert erratic.safety_stock > steady.safety_stock
    assert erratic.reorder_point > steady.reorder_point


def test_a_dry_run_writes_nothing(pb: Pegboard) -> None:
    bolts_with_history(pb)
    before = everything(pb.engine)

    learning.reorder_points(uow=pb.reader(), today=TODAY, service_level=0.95)

    assert everything(pb.engine) == before


def test_applying_writes_exactly_the_proposed_values_and_records_who(pb: Pegboard) -> None:
    bolts_with_history(pb)
    proposed = learning.reorder_points(uow=pb.reader(), today=TODAY, service_level=0.9)

    changed = learning.apply_reorder_points(uow=pb.uow(), today=TODAY, service_level=0.9, actor="ada")

    assert {c.sku for c in changed} == {"BOLT-STEADY", "BOLT-ERRATIC"}
    with pb.engine.connect() as conn:
        stored = {
            r.sku: (r.safety_stock, r.reorder_point)
            for r in conn.execute(select(t.items.c.sku, t.items.c.safety_stock, t.items.c.reorder_point))
        }
        history = conn.execute(select(t.reorder_point_changes)).all()
        audit = conn.execute(select(t.audit_log.c.actor, t.audit_log.c.action, t.audit_log.c.ref)).all()
    assert stored == {p.sku: (p.safety_stock, p.reorder_point) for p in proposed}
    assert sorted((h.sku, h.old_safety_stock, h.applied_by) for h in history) == [
        ("BOLT-ERRATIC", 1, "ada"),
        ("BOLT-STEADY", 1, "ada"),
    ]
    assert sorted(audit) == [
        ("ada", "reorder-points", "BOLT-ERRATIC"),
        ("ada", "reorder-points", "BOLT-STEADY"),
    ]


def test_a_service_level_outside_zero_and_one_is_refused_and_nothing_written(pb: Pegboard) -> None:
    bolts_with_history(pb)
    before = everything(pb.engine)

    with pytest.raises(InvalidValue, match="service_level"):
        learning.apply_reorder_points(uow=pb.uow(), today=TODAY, service_level=1.5, actor="ada")

    assert everything(pb.engine) == before


def test_components_get_reorder_points_from_their_parents_forecast_demand(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    today = pb.clock.today()
    rows = ["order_ref,customer,email,ordered_at,sku,quantity"]
    for i in range(1, 85):
        rows.append(f"G-{i},Luke,luke@example.com,{today - timedelta(days=i)},SABER-GREEN,{1 + i % 2}")
        if i % 3 == 0:
            rows.append(f"B-{i},Leia,leia@example.com,{today - timedelta(days=i)},SABER-BLUE,1")
    import_text(pb, ImportKind.ORDERS, "\n".join(rows) + "\n")

    proposals = {p.sku: p for p in learning.reorder_points(uow=pb.reader(), today=today, service_level=0.95)}

    green, blue, hilt = proposals["SABER-GREEN"], proposals["SABER-BLUE"], proposals["HILT"]
    assert hilt.demand.mean == pytest.approx(green.demand.mean + blue.demand.mean)
    assert hilt.lead_time is not None and hilt.lead_time.mean == 3.0
    assert hilt.reorder_point is not None and hilt.reorder_point >= 3 * hilt.demand.mean
    assert proposals["KYBER-GREEN"].problem == "unpredictable lead time and no receipts to learn from"
