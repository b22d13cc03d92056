"""The production queue from the plan and an MO's page with its pick list, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import manufacturing, planning, purchasing
from pegboard.views.production import manufacturing_order, production_queue
from tests.integration.views.story import after_first_shipments, in_days, order_green_crystals


def test_the_queue_puts_what_can_be_made_now_first_with_the_orders_it_completes_and_what_is_missing(
    pb: Pegboard,
) -> None:
    after_first_shipments(pb)
    order_green_crystals(pb, in_days(pb, 14))
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)

    with pb.reader() as uow:
        first, second = production_queue(uow.connection, run.result)

    assert (first.rank, first.planned, first.sku, first.name, first.quantity) == (
        1,
        True,
        "SABER-GREEN",
        "Green lightsaber",
        Decimal(1),
    )
    assert first.completes == ("SO-1",) and first.ready
    assert second.completes == ("SO-2",) and not second.ready
    assert [(m.sku, m.quantity, m.available_date) for m in second.missing] == [
        ("KYBER-GREEN", Decimal(2), in_days(pb, 14))
    ]


def test_a_confirmed_mo_shows_in_the_queue_by_its_ref(pb: Pegboard) -> None:
    after_first_shipments(pb)
    confirmed = planning.run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)

    with pb.reader() as uow:
        queue = production_queue(uow.connection, run.result)

    mo_refs = [ref for ref in confirmed.created if ref.startswith("MO-")]
    assert [row.ref for row in queue] == mo_refs and not any(row.planned for row in queue)


def test_an_mo_page_lists_the_components_to_pick_for_what_is_still_to_make(pb: Pegboard) -> None:
    after_first_shipments(pb)
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(3), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        detail = manufacturing_order(uow.connection, mo.mo_ref)
        missing = manufacturing_order(uow.connection, "MO-404")

    assert missing is None
    assert detail is not None
    assert (detail.sku, detail.quantity, detail.open_quantity, detail.closed) == ("SABER-GREEN", 3, 3, False)
    assert [(p.sku, p.per_unit, p.needed, p.on_hand, p.short) for p in detail.picks] == [
        ("EMITTER", 1, 3, 10, 0),
        ("HILT", 1, 3, 10, 0),
        ("KYBER-GREEN", 1, 3, 1, 2),
    ]


def test_an_mo_page_keeps_its_completions_and_reschedules(pb: Pegboard) -> None:
    after_first_shipments(pb)
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(3), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(
        mo.mo_ref, Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy
    )
    purchasing.reschedule(mo.mo_ref, in_days(pb, 9), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        detail = manufacturing_order(uow.connection, mo.mo_ref)

    assert detail is not None
    assert [(c.day, c.quantity) for c in detail.completions] == [(pb.clock.today(), 1)]
    assert [(r.old_date, r.new_date) for r in detail.reschedules] == [(in_days(pb, 1), in_days(pb, 9))]
    assert [(p.sku, p.needed) for p in detail.picks] == [("EMITTER", 2), ("HILT", 2), ("KYBER-GREEN", 2)]
