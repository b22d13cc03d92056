"""A re-plan after new orders, the same day, plans only what they reach and merges it into the
stored plan: it stores, keeps and announces exactly what a whole plan does; any other change
still plans the whole snapshot (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.planning import net_change
from pegboard.planning.result import PlanResult
from pegboard.services import planning, purchasing
from tests.builders import make_order
from tests.conftest import MONDAY
from tests.integration.services.test_kept_plan import as_json
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals
from tests.integration.services.test_reliable_promises import gem_po, workshop_with
from tests.integration.services.test_replan_writes import outbox_size, rows_written

DUE = MONDAY + timedelta(days=14)


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[PlanResult | None]]:
    """What each net-change merge of the test answered (None: it handed back to a whole plan)."""
    answered: list[PlanResult | None] = []
    merge = net_change.replanned

    def spy(*args: object, **kwargs: object) -> PlanResult | None:
        answered.append(merge(*args, **kwargs))  # type: ignore[arg-type]
        return answered[-1]

    monkeypatch.setattr(planning, "replanned", spy)
    yield answered


def planned_workshop(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)


def test_a_re_plan_after_orders_stores_and_announces_exactly_what_a_whole_plan_does(
    pb: Pegboard, merges: list[PlanResult | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merged plan is the whole plan: its JSON, its changed promises and announcements, and
    the rows it stores (a whole plan after it finds nothing to write)."""
    planned_workshop(pb)
    make_order(pb, "SO-9", ("SABER-GREEN", 1), ("HILT", 2))
    make_order(pb, "SO-10", ("SABER-BLUE", 2))

    merges_into_the_whole_plan(pb, merges, monkeypatch)


def test_a_re_plan_after_orders_merges_dates_moved_by_suppliers_history_as_a_whole_plan_gives_them(
    pb: Pegboard, merges: list[PlanResult | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Late Gems' PO and Crystal Broker's lead time are dated by their receipts in the stored
    plan; a re-plan after orders for both still merges, and stores and announces the whole plan."""
    workshop_with(pb, late_receipts=6, unpredictable_receipts=6)
    gem_po(pb)
    make_order(pb, "SO-1", ("GEM", 1), ("KYBER", 1))
    make_order(pb, "SO-2", ("OLD-GEM", 3))
    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    make_order(pb, "SO-9", ("GEM", 2))
    make_order(pb, "SO-10", ("KYBER", 2))

    run = merges_into_the_whole_plan(pb, merges, monkeypatch)

    assert first.result.adjusted_dates
    moved = {(a.sku, a.po_ref) for a in run.result.adjusted_dates}
    assert moved == {("GEM", "PO-12"), ("GEM", None), ("KYBER", None)}
    assert any(p.stated_date != p.date for p in run.result.promises if p.order_ref == "SO-10")


def merges_into_the_whole_plan(
    pb: Pegboard, merges: list[PlanResult | None], monkeypatch: pytest.MonkeyPatch
) -> planning.PlanRun:
    """Re-plan after orders placed since the stored plan and check that the merge answered with
    the whole plan: its JSON, its changed promises and announcements, and the rows it stores (a
    whole plan after it finds nothing to write); the run."""
    whole = planning.preview_plan(uow=pb.reader(), clock=pb.clock)
    events = outbox_size(pb)

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert len(merges) == 1 and merges[0] is not None  # planned by net change
    assert as_json(run) == as_json(whole)
    assert run.result == whole.result
    assert run.changed == whole.changed and run.new_dates == whole.new_dates
    assert outbox_size(pb) == events + whole.new_dates
    # The stored plan as a whole plan would store it: a whole plan of the same inputs writes no
    # promise, queue entry or suggestion.
    monkeypatch.setattr(planning, "_net_change", lambda *_: None)
    with pb.engine.begin() as conn:
        conn.execute(update(t.stored_plans).values(inputs_seen=0, promises_digest=None))
    again: list[planning.PlanRun] = []
    written = rows_written(pb, lambda: again.append(planning.run_plan(uow=pb.uow(), clock=pb.clock)))
    assert again[0].changed == [] and again[0].result == run.result
    assert {
        name: written[name] for name in ("line_promises", "stored_plan_queue", "stored_plan_suggestions")
    } == {
        "line_promises": set(),
        "stored_plan_queue": set(),
        "stored_plan_suggestions": set(),
    }
    return run


def test_a_re_plan_after_a_receipt_plans_the_whole_snapshot(
    pb: Pegboard, merges: list[PlanResult | None]
) -> None:
    """A change that is not only new orders cannot be put down to SKUs: no merge is tried."""
    planned_workshop(pb)
    make_order(pb, "SO-9", ("SABER-GREEN", 1))
    purchasing.receive(
        "PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )
    whole = planning.preview_plan(uow=pb.reader(), clock=pb.clock)

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert merges == []
    assert as_json(run) == as_json(whole)


def test_orders_placed_on_another_day_than_the_stored_plan_plan_the_whole_snapshot(
    pb: Pegboard, merges: list[PlanResult | None]
) -> None:
    """A stored plan of another day is no base: time moved every date."""
    planned_workshop(pb)
    with pb.engine.begin() as conn:
        conn.execute(update(t.stored_plans).values(planned_on=MONDAY - timedelta(days=1)))
    make_order(pb, "SO-9", ("SABER-GREEN", 1))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert merges == []
    assert as_json(run) == as_json(planning.preview_plan(uow=pb.reader(), clock=pb.clock))
