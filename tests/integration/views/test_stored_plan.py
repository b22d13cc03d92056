"""The plan a run keeps for the supply pages, on SQLite and PostgreSQL: the same queue and
suggestions a fresh plan gives, and out of date once something planning reads has changed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update

from pegboard.adapters.db import tables
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.quantities import to_quantity
from pegboard.planning.kept_plan import unpack
from pegboard.planning.result import PlanResult
from pegboard.services import orders, planning, purchasing, stock, users
from pegboard.services.tokens import Role
from pegboard.views.plan_page import plan_view
from pegboard.views.production import production_queue
from pegboard.views.purchasing import suggestions_by_supplier
from pegboard.views.stored_plan import PlanState, read_stored_plan
from tests.integration.views.story import after_first_shipments, in_days, order_green_crystals


def stored(pb: Pegboard) -> tuple[PlanState, PlanResult]:
    with pb.reader() as uow:
        found = read_stored_plan(uow.connection)
    assert found is not None, "no plan stored"
    return found


def fresh(pb: Pegboard) -> PlanResult:
    return planning.preview_plan(uow=pb.reader(), clock=pb.clock).result


def assert_pages_agree(pb: Pegboard, kept: PlanResult, planned: PlanResult) -> None:
    """Production, purchasing and plan pages read the same rows from both plans."""
    today = pb.clock.today()
    with pb.reader() as uow:
        conn = uow.connection
        assert production_queue(conn, kept) == production_queue(conn, planned)
        assert suggestions_by_supplier(conn, kept) == suggestions_by_supplier(conn, planned)
        kept_view, planned_view = plan_view(conn, kept, today=today), plan_view(conn, planned, today=today)
    assert (kept_view.making, kept_view.queue) == (planned_view.making, planned_view.queue)


def test_a_plan_run_keeps_the_queue_and_suggestions_a_fresh_plan_gives(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))

    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    state, kept = stored(pb)
    planned = fresh(pb)
    assert state == PlanState(pb.clock.today(), out_of_date=False)
    assert kept.production_queue == planned.production_queue and kept.production_queue
    assert kept.production_suggestions == planned.production_suggestions and kept.production_suggestions
    assert kept.purchase_suggestions == planned.purchase_suggestions
    assert_pages_agree(pb, kept, planned)


def test_after_confirming_the_kept_plan_shows_the_new_orders_as_a_fresh_plan_would(pb: Pegboard) -> None:
    after_first_shipments(pb)

    confirmed = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)

    state, kept = stored(pb)
    planned = fresh(pb)
    assert not state.out_of_date and confirmed.created
    mo_refs = [ref for ref in confirmed.created if ref.startswith("MO-")]
    assert [e.ref for e in kept.production_queue] == mo_refs
    assert kept.production_suggestions == planned.production_suggestions == []
    assert kept.purchase_suggestions == planned.purchase_suggestions
    assert_pages_agree(pb, kept, planned)


def test_a_new_order_a_receipt_or_a_count_puts_the_kept_plan_out_of_date(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    fifo = AllocationPolicy.FIFO
    draft = orders.OrderDraft("SO-9", "Leia", (orders.LineDraft("SABER-BLUE", to_quantity(1)),))
    writes: dict[str, Callable[[], object]] = {
        "order": lambda: orders.place_order(draft, uow=pb.uow(), clock=pb.clock),
        "receipt": lambda: purchasing.receive(
            "PO-1", "KYBER-GREEN", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=fifo
        ),
        "count": lambda: stock.count(
            {"HILT": Decimal(3)}, reason="shelf", uow=pb.uow(), clock=pb.clock, policy=fifo
        ),
    }
    for name, write in writes.items():
        planning.run_plan(uow=pb.uow(), clock=pb.clock)
        assert not stored(pb)[0].out_of_date, name

        write()

        assert stored(pb)[0].out_of_date, name


def test_writes_that_planning_does_not_read_leave_the_kept_plan_up_to_date(pb: Pegboard) -> None:
    after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    users.create_user("ada", Role.OPERATOR, "a long enough password", uow=pb.uow())
    planning.run_plan(uow=pb.reader(), clock=pb.clock, store=False)

    assert not stored(pb)[0].out_of_date


def test_planning_again_brings_the_kept_plan_up_to_date(pb: Pegboard) -> None:
    after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    order_green_crystals(pb, in_days(pb, 14))
    assert stored(pb)[0].out_of_date

    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    state, kept = stored(pb)
    assert not state.out_of_date
    assert kept.production_queue == fresh(pb).production_queue


def test_a_slice_of_the_kept_queue_is_that_slice_of_the_queue_after_re_plans(pb: Pegboard) -> None:
    after_first_shipments(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    order_green_crystals(pb, in_days(pb, 14))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    queue = stored(pb)[1].production_queue
    with pb.reader() as uow:
        pages = [
            read_stored_plan(uow.connection, queue_offset=k, queue_limit=1) for k in range(len(queue) + 1)
        ]

    assert len(queue) >= 2
    assert [p[1].production_queue if p else None for p in pages] == [
        queue[k : k + 1] for k in range(len(queue) + 1)
    ]


def test_a_plan_kept_in_an_older_format_is_planned_again_and_kept_anew(pb: Pegboard) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    older = (Path(__file__).parents[2] / "unit" / "planning" / "kept_plan_format2.bin").read_bytes()
    with pb.uow() as uow:
        uow.connection.execute(update(tables.stored_plans).values(kept_result=older))
        uow.commit()

    again = planning.run_plan(uow=pb.uow(), clock=pb.clock)

    assert again.result == fresh(pb) and not again.changed
    with pb.reader() as uow:
        kept = uow.connection.execute(select(tables.stored_plans.c.kept_result)).scalar_one()
    assert unpack(kept) == again.result
