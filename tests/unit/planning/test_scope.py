"""Re-planning only the SKUs joined to a change gives the same promises as a full plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning.engine import plan
from pegboard.planning.scope import connected_skus, narrowed
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.workshops import workshops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.data())
def test_planning_the_connected_skus_alone_gives_the_full_plans_promises(
    snapshot: PlanInput, data: st.DataObject
) -> None:
    changed = data.draw(st.sampled_from(sorted(item.sku for item in snapshot.items)))
    keep = connected_skus(snapshot, [changed])

    partial = plan(narrowed(snapshot, [changed]))

    full = plan(snapshot)
    assert list(partial.promises) == [p for p in full.promises if p.sku in keep]
