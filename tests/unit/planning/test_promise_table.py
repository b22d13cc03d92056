"""The engine's promises as columns read the same as the same promises as tuples."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from pegboard.planning.engine import plan
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import by_line
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
