"""Merging the plan of what new orders reach into the kept plan gives the whole plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.net_change import (
    demand_rank,
    plain_demand,
    replanned,
    with_kept_demands,
)
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.reliability import Delivery, item_reliability, supplier_reliability
from pegboard.planning.result import PlanResult
from pegboard.planning.scope import narrowed
from pegboard.planning.snapshot import BackorderDemand, DropshipDemand, OpenPurchaseLine, PlanInput
from pegboard.views.plan import plan_json
from tests.unit.planning.builders import FIRST_ORDER_AT, backorder, day, lightsaber_workshop, q
from tests.unit.planning.workshops import quantities, with_history, workshops

#: Random workshops, half of them with suppliers' receipt history that moves their dates.
shops = st.one_of(workshops(), workshops().flatmap(with_history))


def plain(snapshot: PlanInput) -> PlanInput:
    """The workshop without what the merge hands back to a whole plan (preorders, drop-ships,
    ship-complete orders), its lines numbered as a store numbers them."""
    demands = [replace(d, release_date=None, line_id=k + 1) for k, d in enumerate(snapshot.demands)]
    return replace(snapshot, demands=demands, dropships=(), ship_complete=frozenset(), held=())


def _stated(result: PlanResult) -> tuple[bool, list[int]]:
    """Whether the promise table's days were moved by suppliers' history, and its stated days
    (what the stored plan keeps, `kept_plan.pack`)."""
    table = result.promises
    assert isinstance(table, PromiseTable)
    return table.unadjusted, table.stated.tolist()


@st.composite
def placed(draw: st.DrawFn, snapshot: PlanInput) -> tuple[list[str], PlanInput]:
    """The SKUs of a few new orders (placed after every other, mostly at the lowest priority, at
    times ahead of every line), and the snapshot after them: their backordered lines, and the
    stock they took."""
    skus = sorted(item.sku for item in snapshot.items)
    lowest = min((d.priority for d in snapshot.demands), default=0)
    priority = draw(st.sampled_from([lowest, lowest, lowest, 9]))
    demands = list(snapshot.demands)
    available = dict(snapshot.available)
    changed: list[str] = []
    for k in range(draw(st.integers(1, 3))):
        for line_no in range(1, draw(st.integers(1, 2)) + 1):
            sku = draw(st.sampled_from(skus))
            changed.append(sku)
            taken = min(available.get(sku, Decimal(0)), draw(quantities))
            if taken:
                available[sku] -= taken
            demands.append(
                BackorderDemand(
                    order_ref=f"NEW-{k}",
                    line_no=line_no,
                    sku=sku,
                    quantity=draw(quantities),
                    priority=priority,
                    ordered_at=FIRST_ORDER_AT + timedelta(days=1, minutes=k),
                    sequence=100 + k,
                    line_id=1000 + 10 * k + line_no,
                )
            )
    return changed, replace(snapshot, demands=demands, available=available)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops, st.data())
def test_the_kept_plan_merged_with_the_plan_of_what_new_orders_reach_is_the_whole_plan(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """Whenever the merge answers, it answers with the whole plan (the same `plan --json`), dates
    moved by suppliers' history and all."""
    before = plain(workshop)
    kept = plan(before)
    changed, after = data.draw(placed(before))
    scope = narrowed(after, changed)
    last = max(map(demand_rank, before.demands), default=None)

    merged = replanned(kept, scope, last_kept=last)

    event("merged" if merged is not None else "planned whole")
    if merged is not None:
        assert_is_the_whole_plan(merged, after)
        assert_adds_only_what_its_rows_rest_on(merged, kept)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops, st.data())
def test_the_lines_of_a_kept_plan_of_plain_demand_stand_for_the_ones_not_read_again(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """A narrowed snapshot read with the new orders' lines only, the other lines taken from the
    kept plan's promises, merges into the whole plan too."""
    before = plain(workshop)
    assert plain_demand(before)
    kept = plan(before)
    changed, after = data.draw(placed(before))
    scope = narrowed(after, changed)
    read = replace(scope, demands=[d for d in scope.demands if d.order_ref.startswith("NEW-")])
    last = max(map(demand_rank, before.demands), default=None)

    rebuilt = with_kept_demands(read, kept, last_kept=last)
    merged = None if rebuilt is None else replanned(kept, rebuilt)

    event("merged" if merged is not None else "planned whole")
    if merged is not None:
        assert_is_the_whole_plan(merged, after)
        assert_adds_only_what_its_rows_rest_on(merged, kept)


def test_demand_with_a_preorder_a_configured_or_drop_ship_line_or_a_ship_complete_order_is_not_plain() -> (
    None
):
    """Lines a re-plan could not take back from promises keep the next re-plan whole."""
    line = BackorderDemand("SO-1", 1, "AXE", Decimal(1), line_id=1)
    base = PlanInput(today=FIRST_ORDER_AT.date(), items=[], demands=[line])

    assert plain_demand(base)
    assert not plain_demand(replace(base, demands=[replace(line, release_date=base.today)]))
    assert not plain_demand(replace(base, demands=[replace(line, options="COLOUR=green")]))
    assert not plain_demand(replace(base, ship_complete=frozenset({"SO-1"})))
    assert not plain_demand(
        replace(base, dropships=[DropshipDemand("SO-2", 1, "AXE", Decimal(1), None, None, None)])
    )


def test_a_plan_with_a_late_suppliers_dates_merges_new_orders_instead_of_planning_whole() -> None:
    """A supplier's learned lateness moves a PO's date and a bought item's lead time in the kept
    plan; an order placed since is still planned by what it reaches and merged, dates and all."""
    late = [
        Delivery("Crystal Broker", "KYBER-GREEN", f"OLD-{k}", day(-60 + 7 * k), day(-50 + 7 * k), d, q(1))
        for k, d in enumerate(day(-48 + 7 * k) for k in range(8))
    ]
    workshop = replace(
        lightsaber_workshop(),
        purchase_lines=[OpenPurchaseLine("PO-12", "KYBER-GREEN", q(1), day(14), "Crystal Broker", day(-3))],
        reliability=[*supplier_reliability(late), *item_reliability(late).values()],
        confidence=0.9,
    )
    before = plain(workshop)
    kept = plan(before)
    order = replace(backorder("SO-9", "SABER-GREEN", 2, minute=60 * 24), line_id=99)
    after = replace(before, demands=[*before.demands, order])
    last = max(map(demand_rank, before.demands))

    merged = replanned(kept, narrowed(after, ["SABER-GREEN"]), last_kept=last)

    whole = plan(after)
    assert whole.adjusted_dates and not _stated(whole)[0]
    assert merged is not None
    assert merged == whole
    assert merged.adjusted_dates == whole.adjusted_dates
    assert _stated(merged) == _stated(whole)
    assert plan_json(merged) == plan_json(whole)


def assert_adds_only_what_its_rows_rest_on(merged: PlanResult, kept: PlanResult) -> None:
    """A merge adds to the kept plan's input lines and wordings only those its new rows use, so
    a day of net changes does not grow the kept plan by every line each narrowed snapshot held."""
    now, before = merged.promises, kept.promises
    assert isinstance(now, PromiseTable) and isinstance(before, PromiseTable)
    assert set(range(len(before.refs), len(now.refs))) <= set(now.line.tolist())
    assert set(range(len(before.reasons), len(now.reasons))) <= set(now.wording.tolist())


def assert_is_the_whole_plan(merged: PlanResult, after: PlanInput) -> None:
    """A merged plan is the whole plan of `after`: the same result, moved dates, stated days and JSON."""
    whole = plan(after)
    event("adjusted dates merged" if whole.adjusted_dates else "no adjusted date")
    assert merged == whole
    assert merged.adjusted_dates == whole.adjusted_dates
    assert _stated(merged) == _stated(whole)
    assert plan_json(merged) == plan_json(whole)
