"""The array engine and its slow, obvious twin give the same plan on random small workshops."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pegboard.planning.engine import plan
from pegboard.planning.snapshot import PlanInput
from pegboard.views.plan import plan_json
from tests.unit.planning.reference_planner import reference_plan
from tests.unit.planning.workshops import workshops


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_engine_and_reference_planner_give_the_same_plan(snapshot: PlanInput) -> None:
    expected = reference_plan(snapshot)

    actual = plan(snapshot)

    assert actual.promises == expected.promises
    assert actual.purchase_suggestions == expected.purchase_suggestions
    assert actual.production_suggestions == expected.production_suggestions
    assert actual.production_queue == expected.production_queue
    assert actual.feasible_mos == expected.feasible_mos


@settings(max_examples=100, deadline=None)
@given(workshops())
def test_the_same_snapshot_always_gives_the_same_plan(snapshot: PlanInput) -> None:
    first = plan(snapshot)

    second = plan(snapshot)

    assert first == second
    assert plan_json(first) == plan_json(second)
