"""With suppliers' history, the engine plans exactly the reliability-adjusted snapshot: its dates
are those its slow twin gives on that snapshot, on random small workshops."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.reliability import Delivery, item_reliability, supplier_reliability
from pegboard.planning.reliable import reliable_snapshot
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.builders import TODAY
from tests.unit.planning.reference_planner import reference_plan
from tests.unit.planning.workshops import workshops


@st.composite
def with_history(draw: st.DrawFn) -> PlanInput:
    """A random workshop whose PO lines name a supplier, and 0 to 8 receipts per supplier."""
    snapshot = draw(workshops())
    skus = [item.sku for item in snapshot.items]
    history = []
    for supplier in ("Acme", "Bree"):
        for k in range(draw(st.integers(0, 8))):
            ordered = TODAY - timedelta(days=40 - 3 * k)
            stated = draw(st.one_of(st.none(), st.integers(0, 9)))
            due = None if stated is None else ordered + timedelta(days=stated)
            took = draw(st.integers(-2, 7)) + (stated or 5)
            sku = draw(st.sampled_from(skus))
            history.append(
                Delivery(supplier, sku, f"H-{k}", ordered, due, ordered + timedelta(days=took), Decimal(1))
            )
    # A PO is placed with one supplier on one day, as in Pegboard: its lines share both.
    placed: dict[str, tuple[str | None, date]] = {}
    for line in snapshot.purchase_lines:
        if line.po_ref not in placed:
            seller: str | None = draw(st.sampled_from(["Acme", "Bree", None]))
            placed[line.po_ref] = (seller, TODAY - timedelta(days=draw(st.integers(0, 10))))
    lines = [
        replace(line, supplier=placed[line.po_ref][0], ordered_on=placed[line.po_ref][1])
        for line in snapshot.purchase_lines
    ]
    figures = [*supplier_reliability(history), *item_reliability(history).values()]
    confidence = draw(st.sampled_from([0.5, 0.9, 0.95]))
    return replace(snapshot, purchase_lines=lines, reliability=figures, confidence=confidence)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_history())
def test_the_engine_plans_the_adjusted_snapshot_as_its_twin_does(snapshot: PlanInput) -> None:
    adjusted, notes = reliable_snapshot(snapshot)
    event(
        "some date moved"
        if notes and any(n.moved for n in [*notes.po.values(), *notes.planned.values()])
        else "no date moved"
    )
    expected = reference_plan(adjusted)

    actual = plan(snapshot)

    def dated(promises: object) -> list[tuple[object, ...]]:
        return [(p.order_ref, p.line_no, p.sku, p.quantity, p.date) for p in promises]  # type: ignore[attr-defined]

    assert dated(actual.promises) == dated(expected.promises)
    # The stated date is never after the counted one: the adjustment only ever delays.
    for p in actual.promises:
        assert p.date is not None or p.stated_date is None, p
        assert p.stated_date is None or (p.date is not None and p.stated_date <= p.date), p
    if not notes or not any(n.moved for n in [*notes.po.values(), *notes.planned.values()]):
        assert all(p.stated_date == p.date for p in actual.promises)
    assert actual.production_suggestions == expected.production_suggestions
    assert actual.production_queue == expected.production_queue
    assert [(s.supplier, s.sku, s.quantity) for s in actual.purchase_suggestions] == [
        (s.supplier, s.sku, s.quantity) for s in expected.purchase_suggestions
    ]
