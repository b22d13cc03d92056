"""A confirmed MO whose crystals come late, on the lightsaber workshop of DESIGN.md: `supply`, the
production queue and the promise resting on it all say the dates the materials allow, while the
MO keeps the dates the user gave it (SQLite and PostgreSQL). Once a plan has run, `supply` reads
those dates from the stored plan."""

from __future__ import annotations

from datetime import timedelta

from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.services import manufacturing, orders, planning, purchasing
from pegboard.services.imports import ImportKind
from pegboard.views import lists
from pegboard.views.models import SupplyView
from tests.builders import import_text


def three_green_sabers_waiting_for_crystals(pb: Pegboard) -> str:
    """MO for 3 green sabers opened today (1 day), with 1 crystal on hand and PO-12 of 2 due in 14 days."""
    demo.load_catalogue(pb)
    due = pb.clock.today() + timedelta(days=14)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-12,Crystal Broker,KYBER-GREEN,2,{due}\n",
    )
    mo = manufacturing.open_manufacturing_order("SABER-GREEN", to_quantity(3), uow=pb.uow(), clock=pb.clock)
    return mo.mo_ref


def test_supply_shows_the_dates_the_late_crystals_allow_beside_the_mos_own(pb: Pegboard) -> None:
    ref = three_green_sabers_waiting_for_crystals(pb)
    today = pb.clock.today()
    due = today + timedelta(days=14)

    with pb.reader() as uow:
        rows = lists.supply(uow.connection)
        found = lists.with_feasible(
            rows, manufacturing.feasible_dates({ref: "SABER-GREEN"}, uow=uow, today=today)
        )

    [mo] = [row for row in found if row.ref == ref]
    assert mo.expected_date == today + timedelta(days=1)  # the user's date stays
    assert (mo.feasible_start, mo.feasible_due) == (due, due + timedelta(days=1))
    assert mo.late_because == f"waiting for KYBER-GREEN on PO-12 due {due}"
    assert mo.to_json()["feasible_due"] == (due + timedelta(days=1)).isoformat()
    [po] = [row for row in found if row.ref == "PO-12"]
    assert (po.feasible_start, po.feasible_due, po.late_because) == (None, None, None)


def test_an_mo_with_its_materials_on_hand_keeps_its_own_dates_and_no_reason(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    today = pb.clock.today()
    mo = manufacturing.open_manufacturing_order("SABER-BLUE", to_quantity(2), uow=pb.uow(), clock=pb.clock)

    with pb.reader() as uow:
        dates = manufacturing.feasible_dates({mo.mo_ref: "SABER-BLUE"}, uow=uow, today=today)

    assert dates[mo.mo_ref].start_date == today
    assert dates[mo.mo_ref].finish_date == today + timedelta(days=1)
    assert dates[mo.mo_ref].late_because is None


def test_the_queue_and_the_promise_resting_on_the_late_mo_say_the_feasible_date(pb: Pegboard) -> None:
    ref = three_green_sabers_waiting_for_crystals(pb)
    due = pb.clock.today() + timedelta(days=14)
    draft = orders.OrderDraft(
        order_ref="SO-7", customer="Finn", lines=(orders.LineDraft("SABER-GREEN", to_quantity(5)),)
    )
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)

    result = planning.run_plan(uow=pb.uow(), clock=pb.clock).result

    [entry] = [e for e in result.production_queue if e.ref == ref]
    assert (entry.start_date, entry.finish_date) == (due, due + timedelta(days=1))
    [promise] = [p for p in result.promises if p.order_ref == "SO-7"]
    assert promise.date == due + timedelta(days=1)
    assert promise.reason == f"{ref} finishes {due + timedelta(days=1)}, after KYBER-GREEN on PO-12 due {due}"
    [late] = [f for f in result.feasible_mos if f.ref == ref]
    assert late.late_because == f"waiting for KYBER-GREEN on PO-12 due {due}"


def supply_row(pb: Pegboard, ref: str) -> SupplyView:
    """The `supply` row of `ref`, with the dates its materials allow, as `pegboard supply` reads it."""
    with pb.reader() as uow:
        rows = lists.supply(uow.connection)
        mos = {row.ref: row.sku for row in rows if row.kind == "mo"}
        found = lists.with_feasible(rows, manufacturing.feasible_dates(mos, uow=uow, today=pb.clock.today()))
    [row] = [row for row in found if row.ref == ref]
    return row


def test_after_a_plan_run_supply_reads_the_dates_the_plan_kept_until_the_next_run(pb: Pegboard) -> None:
    ref = three_green_sabers_waiting_for_crystals(pb)
    due = pb.clock.today() + timedelta(days=14)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    kept = supply_row(pb, ref)

    # The crystals slip a week: the stored plan is out of date, and says what it said, as the
    # supply pages show the stored queue until the plan runs again.
    purchasing.reschedule("PO-12", due + timedelta(days=7), uow=pb.uow(), clock=pb.clock)
    stale = supply_row(pb, ref)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)
    fresh = supply_row(pb, ref)

    assert kept.feasible_due == stale.feasible_due == due + timedelta(days=1)
    assert stale.late_because == f"waiting for KYBER-GREEN on PO-12 due {due}"
    assert fresh.feasible_due == due + timedelta(days=8)
    assert fresh.late_because == f"waiting for KYBER-GREEN on PO-12 due {due + timedelta(days=7)}"


def test_an_mo_opened_after_the_plan_run_is_dated_by_its_materials_now(pb: Pegboard) -> None:
    three_green_sabers_waiting_for_crystals(pb)
    planning.run_plan(uow=pb.uow(), clock=pb.clock)

    # The one crystal on hand and PO-12's two go to the first MO: nothing dates a fourth.
    later = manufacturing.open_manufacturing_order(
        "SABER-GREEN", to_quantity(1), uow=pb.uow(), clock=pb.clock
    )
    row = supply_row(pb, later.mo_ref)

    assert row.expected_date == pb.clock.today() + timedelta(days=1)
    assert (row.feasible_start, row.feasible_due) == (None, None)
    assert row.late_because is not None and row.late_because.startswith("open term:")
    assert "KYBER-GREEN" in row.late_because
