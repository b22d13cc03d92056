"""The demands as columns (`DemandColumns`, as the store reads a whole snapshot) give the plan the
demands themselves give, in line order or not."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from operator import attrgetter

import numpy as np
from hypothesis import HealthCheck, given, settings

from pegboard.planning.arrays import EPOCH, MICROSECOND, build_demands, build_items, naive, to_micro
from pegboard.planning.engine import plan
from pegboard.planning.net_change import plain_demand
from pegboard.planning.snapshot import BackorderDemand, DemandColumns, MadeOnDemand, PlanInput, PlanItem
from tests.unit.planning.workshops import workshops


def columns_of(demands: Sequence[BackorderDemand]) -> DemandColumns:
    """The columns of these demands, each distinct (ref, priority, ordered_at, sequence) an order."""
    orders: dict[tuple[object, ...], int] = {}
    order = [
        orders.setdefault((d.order_ref, d.priority, d.ordered_at, d.sequence), len(orders)) for d in demands
    ]
    keys = list(orders)
    skus = sorted({d.sku for d in demands})
    return DemandColumns(
        of=demands,
        order=np.array(order, dtype=np.int64),
        order_refs=[str(k[0]) for k in keys],
        priority=np.array([k[1] for k in keys], dtype=np.int64),
        at=np.array([(naive(k[2]) - EPOCH) // MICROSECOND for k in keys], dtype=np.int64),  # type: ignore[arg-type]
        sequence=np.array([k[3] for k in keys], dtype=np.int64),
        item=np.array([skus.index(d.sku) for d in demands], dtype=np.int64),
        sku_names=skus,
        line_no=np.array([d.line_no for d in demands], dtype=np.int64),
        quantity=to_micro([d.quantity for d in demands], "quantity"),
        refs=[d.order_ref for d in demands],
        line_nos=[d.line_no for d in demands],
        skus=[d.sku for d in demands],
        line_ids=[d.line_id for d in demands],
        release=(
            np.array(
                [0 if d.release_date is None else d.release_date.toordinal() for d in demands], dtype=np.int64
            )
            if any(d.release_date for d in demands)
            else None
        ),
        options={k: d.options for k, d in enumerate(demands) if d.options},
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_demands_as_columns_give_the_same_arrays_and_plan(snapshot: PlanInput) -> None:
    for demands in (list(snapshot.demands), sorted(snapshot.demands, key=attrgetter("sequence", "line_no"))):
        plain = replace(snapshot, demands=demands)
        columned = replace(plain, demand_columns=columns_of(demands))
        items = build_items(plain)

        expected, got = build_demands(plain, items), build_demands(columned, items)

        for name in expected.__dataclass_fields__:
            a, b = getattr(expected, name), getattr(got, name)
            assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, name
        assert plan(columned) == plan(plain)


def test_a_snapshot_whose_demands_were_replaced_is_planned_from_them_not_from_old_columns() -> None:
    demands = [BackorderDemand("SO-1", 1, "AXE", Decimal(1))]
    snapshot = PlanInput(today=date(2026, 3, 2), items=[PlanItem("AXE")], demands=demands)
    snapshot = replace(snapshot, demand_columns=columns_of(demands))
    changed = replace(snapshot, demands=[replace(demands[0], order_ref="SO-2")])

    assert changed.demand_columns is snapshot.demand_columns  # carried along, but stale
    assert build_demands(changed, build_items(changed)).refs == ["SO-2"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_a_whole_plan_from_columns_makes_its_demands_only_for_configured_lines(snapshot: PlanInput) -> None:
    demands = list(snapshot.demands)
    made = MadeOnDemand(len(demands), lambda: list(demands))
    columns = replace(columns_of(demands), of=made)
    columned = replace(snapshot, demands=made, demand_columns=columns)

    got, expected = plan(columned), plan(snapshot)

    assert got == expected and plain_demand(columned) == plain_demand(snapshot)
    # Only a configured line makes the engine replace the demands (`planning.configurations`).
    assert made.made() == bool(columns.options)


def test_demands_made_on_demand_are_made_once_when_first_walked_and_equal_their_list() -> None:
    calls: list[int] = []
    demands = [BackorderDemand("SO-1", 1, "AXE", Decimal(1)), BackorderDemand("SO-1", 2, "BOLT", Decimal(2))]

    def make() -> list[BackorderDemand]:
        calls.append(1)
        return list(demands)

    made = MadeOnDemand(2, make)

    assert len(made) == 2 and not made.made() and not calls
    assert made[1].sku == "BOLT" and list(made) == demands and made == demands and demands == made
    assert calls == [1] and pickle.loads(pickle.dumps(made)) == demands
