"""A plan kept as bytes reads back as the same plan (the stored plan answers unchanged re-plans)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from pytest import MonkeyPatch

from pegboard.planning import kept_plan
from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack, unpack, unpack_promises
from pegboard.planning.snapshot import PlanInput
from pegboard.views.plan import plan_json
from tests.unit.planning.builders import day, lightsaber_workshop
from tests.unit.planning.test_reliable_matches_reference import with_history
from tests.unit.planning.workshops import workshops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_a_kept_plan_reads_back_as_the_same_plan(snapshot: PlanInput) -> None:
    result = plan(snapshot)

    kept = unpack(pack(result))

    assert kept == result
    assert plan_json(kept) == plan_json(result)
    assert unpack_promises(pack(result)) == result.promises


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_history())
def test_a_kept_plan_keeps_dates_moved_by_suppliers_history(snapshot: PlanInput) -> None:
    result = plan(snapshot)

    kept = unpack(pack(result))

    assert kept == result
    assert plan_json(kept) == plan_json(result)


def test_a_plan_of_plain_promises_reads_back_as_the_same_promises() -> None:
    result = plan(lightsaber_workshop(crystal_po_due=day(14)))
    by_hand = replace(result, promises=list(result.promises))

    kept = unpack(pack(by_hand))

    assert kept is not None and list(kept.promises) == list(result.promises)
    assert plan_json(kept) == plan_json(by_hand)


def test_bytes_of_another_format_read_back_as_no_plan(monkeypatch: MonkeyPatch) -> None:
    older = pack(plan(lightsaber_workshop(crystal_po_due=day(14))))

    monkeypatch.setattr(kept_plan, "FORMAT", kept_plan.FORMAT + 1)

    assert unpack(older) is None
