"""A plan run on inputs nobody changed answers with the stored plan, exactly and writing nothing;
any change to what planning reads (or a new day, or other settings) makes a real re-plan (both
databases)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.domain.allocation import AllocationPolicy
from pegboard.planning.engine import RULES
from pegboard.services import planning, purchasing
from pegboard.services.imports import ImportKind
from pegboard.views.plan import plan_json
from tests.builders import import_text, make_order
from tests.conftest import MONDAY
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals
from tests.integration.services.test_replan_writes import WATCHED, outbox_size, rows_written

DUE = MONDAY + timedelta(days=14)


def as_json(run: planning.PlanRun) -> str:
    """The run's plan as `pegboard plan --json` prints it."""
    return json.dumps(plan_json(run.result), sort_keys=True)


def full_plan(pb: Pegboard) -> str:
    """The plan computed from the database now (a preview plans, whatever is stored)."""
    return as_json(planning.preview_plan(uow=pb.reader(), clock=pb.clock))


def test_a_plan_on_unchanged_inputs_gives_the_stored_plan_exactly_and_writes_nothing(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    events = outbox_size(pb)

    runs: list[planning.PlanRun] = []
    written = rows_written(pb, lambda: runs.append(planning.run_plan(uow=pb.uow(), clock=pb.clock)))

    assert first.result.promises and first.result.production_queue  # there is a plan to keep
    assert as_json(runs[0]) == as_json(first) == full_plan(pb)
    assert runs[0].result == first.result
    assert runs[0].changed == [] and runs[0].new_dates == 0
    assert written == {name: set() for name in WATCHED}
    assert outbox_size(pb) == events


def _an_order(pb: Pegboard) -> Pegboard:
    make_order(pb, "SO-9", ("SABER-GREEN", 1))
    return pb


def _a_receipt(pb: Pegboard) -> Pegboard:
    purchasing.receive(
        "PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )
    return pb


def _a_reschedule(pb: Pegboard) -> Pegboard:
    purchasing.reschedule("PO-1", DUE + timedelta(days=7), uow=pb.uow(), clock=pb.clock)
    return pb


def _an_item_edit(pb: Pegboard) -> Pegboard:
    import_text(pb, ImportKind.ITEMS, "sku,name,procurement,lead_time_days\nSABER-GREEN,Green saber,make,3\n")
    return pb


def _an_options_edit(pb: Pegboard) -> Pegboard:
    import_text(
        pb,
        ImportKind.OPTIONS,
        "parent_sku,option,value,component_sku,quantity,replaces_sku\nSABER-GREEN,HILT,long,HILT,2,HILT\n",
    )
    return pb


def _a_new_day(pb: Pegboard) -> Pegboard:
    return bootstrap(pb.settings, today=MONDAY + timedelta(days=1))


def _other_settings(pb: Pegboard) -> Pegboard:
    return bootstrap(pb.settings.model_copy(update={"reliability_dates": False}), today=MONDAY)


def _older_planning_rules(pb: Pegboard) -> Pegboard:
    """The stored plan as an older Pegboard kept it: planned under the rules before these."""
    made_with = t.stored_plans.c.made_with
    with pb.engine.begin() as conn:
        conn.execute(
            update(t.stored_plans).values(
                made_with=func.replace(made_with, f"planning rules {RULES},", f"planning rules {RULES - 1},")
            )
        )
    return pb


CHANGES: dict[str, Callable[[Pegboard], Pegboard]] = {
    "order": _an_order,
    "receipt": _a_receipt,
    "reschedule": _a_reschedule,
    "item edit": _an_item_edit,
    "options edit": _an_options_edit,
    "new day": _a_new_day,
    "other settings": _other_settings,
    "older planning rules": _older_planning_rules,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_to_what_planning_reads_makes_a_real_re_plan(pb: Pegboard, change: str) -> None:
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    board = CHANGES[change](pb)
    try:
        runs: list[planning.PlanRun] = []
        written = rows_written(
            board, lambda: runs.append(planning.run_plan(uow=board.uow(), clock=board.clock))
        )

        assert written["stored_plans"]  # planned again, and kept
        assert as_json(runs[0]) == full_plan(board)
    finally:
        if board is not pb:
            board.close()


def test_a_line_re_promised_since_the_stored_plan_is_compared_with_its_stored_promise(pb: Pegboard) -> None:
    lightsaber_after_first_shipments(pb)
    order_green_crystals(pb, DUE)
    first = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    so2 = next(p for p in first.changed if p.order_ref == "SO-2")
    assert so2.promised_date is not None
    moved = replace(so2, promised_date=so2.promised_date + timedelta(days=5))
    with pb.uow() as uow:  # as a re-promise of SO-2's SKU would store it
        planning.save_promises([moved], [None], uow=uow, today=pb.clock.today())
        uow.commit()
    make_order(pb, "SO-9", ("SABER-BLUE", 1))  # an input change: the plan runs again
    events = outbox_size(pb)

    again = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    # The stored plan still gives SO-2 its first date; its stored promise is put back to it.
    assert [p.order_ref for p in again.changed] == ["SO-2"]
    assert outbox_size(pb) == events + 1
    assert marked_lines(pb) == 0
    assert as_json(planning.run_plan(uow=pb.uow(), clock=pb.clock)) == as_json(again) == full_plan(pb)


def marked_lines(pb: Pegboard) -> int:
    """How many line promises are marked as written by a re-promise since the stored plan."""
    lp = t.line_promises.c
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(lp.since_plan)).scalar_one())
