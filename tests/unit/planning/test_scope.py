"""Re-planning only what a change can reach gives the same promises as a full plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.scope import narrowed, snapshot_scope
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.workshops import workshops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_planning_what_a_change_needs_alone_gives_the_full_plans_promises_of_what_it_affects(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    changed = data.draw(st.lists(st.sampled_from(sorted(item.sku for item in snapshot.items)), min_size=1))
    affected = snapshot_scope(snapshot, changed).affected

    partial = plan(narrowed(snapshot, changed))

    full = plan(snapshot)
    assert list(partial.promises) == [p for p in full.promises if p.sku in affected]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_a_change_moves_no_promise_outside_the_skus_it_affects(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    changed, after = data.draw(changes(snapshot))
    # A ship-complete order's lines move together, before the change and after it.
    affected = snapshot_scope(snapshot, [changed]).affected | snapshot_scope(after, [changed]).affected

    before_plan, after_plan = plan(snapshot), plan(after)

    assert [p for p in after_plan.promises if p.sku not in affected] == [
        p for p in before_plan.promises if p.sku not in affected
    ]


@st.composite
def changes(draw: st.DrawFn, snapshot: PlanInput) -> tuple[str, PlanInput]:
    """One SKU and the snapshot after something changed at it: a PO's or MO's date or quantity,
    its available stock, or one of its backorders."""
    kinds = ["stock"]
    if snapshot.purchase_lines:
        kinds += ["po date", "po quantity"]
    if snapshot.manufacturing_orders:
        kinds += ["mo date", "mo quantity"]
    if snapshot.demands:
        kinds += ["demand quantity", "demand gone"]
    kind = draw(st.sampled_from(kinds))
    shift = timedelta(days=draw(st.integers(-5, 9)))
    quantity = draw(st.sampled_from([Decimal(n) for n in ("1", "2", "0.5", "7")]))
    if kind.startswith("po"):
        k = draw(st.integers(0, len(snapshot.purchase_lines) - 1))
        line = snapshot.purchase_lines[k]
        if kind == "po date":
            line = replace(
                line, expected_date=None if line.expected_date is None else line.expected_date + shift
            )
        else:
            line = replace(line, open_quantity=quantity)
        lines = [*snapshot.purchase_lines[:k], line, *snapshot.purchase_lines[k + 1 :]]
        return line.sku, replace(snapshot, purchase_lines=lines)
    if kind.startswith("mo"):
        k = draw(st.integers(0, len(snapshot.manufacturing_orders) - 1))
        mo = snapshot.manufacturing_orders[k]
        if kind == "mo date":
            mo = replace(mo, start_date=mo.start_date + shift, finish_date=mo.finish_date + shift)
        else:
            mo = replace(mo, open_quantity=quantity)
        mos = [*snapshot.manufacturing_orders[:k], mo, *snapshot.manufacturing_orders[k + 1 :]]
        return mo.sku, replace(snapshot, manufacturing_orders=mos)
    if kind.startswith("demand"):
        k = draw(st.integers(0, len(snapshot.demands) - 1))
        demand = snapshot.demands[k]
        rest = [*snapshot.demands[:k], *snapshot.demands[k + 1 :]]
        if kind == "demand quantity":
            rest.insert(k, replace(demand, quantity=quantity))
        return demand.sku, replace(snapshot, demands=rest)
    sku = draw(st.sampled_from(sorted(item.sku for item in snapshot.items)))
    available = dict(snapshot.available)
    available[sku] = quantity
    return sku, replace(snapshot, available=available)
