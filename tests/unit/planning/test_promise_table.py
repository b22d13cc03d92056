"""The engine's promises as columns read the same as the same promises as tuples."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.line_changes import on_planned_orders
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import by_line
from pegboard.planning.result import PLANNED_MO, PLANNED_PO
from pegboard.planning.snapshot import PlanInput
from pegboard.views.plan import plan_json
from tests.unit.planning.workshops import workshops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_promise_columns_give_the_same_json_and_line_promises_as_tuples(snapshot: PlanInput) -> None:
    result = plan(snapshot)
    as_tuples = replace(result, promises=list(result.promises))

    assert isinstance(result.promises, PromiseTable)
    assert len(result.promises) == len(as_tuples.promises)
    assert plan_json(result) == plan_json(as_tuples)
    assert by_line(result.promises) == by_line(as_tuples.promises)
    assert result == as_tuples


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.integers(-5, 60), st.integers(-5, 60), st.sampled_from([None, 1, 2]))
def test_a_slice_of_fresh_promise_columns_is_the_same_rows_as_a_slice_of_every_row(
    snapshot: PlanInput, start: int, stop: int, step: int | None
) -> None:
    fresh, whole = plan(snapshot).promises, plan(snapshot).promises
    assert isinstance(fresh, PromiseTable)

    assert fresh[start:stop:step] == list(whole)[start:stop:step]
    assert fresh[:stop] == list(whole)[:stop]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_the_promises_resting_on_planned_orders_are_counted_alike_from_columns_and_from_tuples(
    snapshot: PlanInput,
) -> None:
    promises = plan(snapshot).promises
    assert isinstance(promises, PromiseTable)

    counted = on_planned_orders(promises)

    assert counted == sum(p.basis in (PLANNED_PO, PLANNED_MO) for p in list(promises))
    assert counted == on_planned_orders(list(promises))
