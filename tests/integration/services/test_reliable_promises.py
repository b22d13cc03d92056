"""Promises dated by suppliers' real history, through the services on SQLite and PostgreSQL:
a habitually late supplier's PO is promised later by its learned slip, too little history keeps
the stated date, an unpredictable supplier is dated once its lead times are learned, and a quote
is still the promise the plan gives once the order is placed."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.quantities import to_quantity
from pegboard.planning.result import Promise
from pegboard.services import orders, planning, purchasing
from pegboard.services.imports import ImportKind
from pegboard.services.quoting import QuoteRequest, quote
from pegboard.views.plan import plan_json
from pegboard.views.stored_plan import stored_promises
from tests.builders import import_text
from tests.conftest import MONDAY
from tests.integration.services.test_quotes_match_promises import Workshop, placed_and_promised, workshops

START = MONDAY - timedelta(days=70)
CATALOGUE = (
    "sku,name,procurement,lead_time_days,supplier\n"
    "OLD-GEM,Old gem,buy,10,Late Gems\n"
    "GEM,Gem,buy,10,Late Gems\n"
    "OLD-KYBER,Old crystal,buy,,Crystal Broker\n"
    "KYBER,Crystal,buy,,Crystal Broker\n"
)


def on(pb: Pegboard, day: date) -> None:
    pb.clock = FixedClock(day)


def history(
    pb: Pegboard,
    sku: str,
    supplier: str,
    *,
    receipts: int,
    stated: int | None,
    took: int,
    first: int = 0,
    rescheduled: int | None = None,
) -> None:
    """POs `first`.. of one unit, a week apart: due after `stated` days (None: none), moved to
    `rescheduled` days on the third day when given (the supplier told us), received `took` on."""
    for k in range(first, first + receipts):
        ordered = START + timedelta(days=7 * k)
        on(pb, ordered)
        due = "" if stated is None else (ordered + timedelta(days=stated)).isoformat()
        import_text(
            pb,
            ImportKind.PURCHASE_ORDERS,
            f"po_ref,supplier,sku,quantity,expected_date\nH-{sku}-{k},{supplier},{sku},1,{due}\n",
        )
        if rescheduled is not None:
            on(pb, ordered + timedelta(days=2))
            moved = ordered + timedelta(days=rescheduled)
            purchasing.reschedule(f"H-{sku}-{k}", moved, uow=pb.uow(), clock=pb.clock)
        on(pb, ordered + timedelta(days=took))
        purchasing.receive(
            f"H-{sku}-{k}", sku, Decimal(1), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
        )


def workshop_with(pb: Pegboard, *, late_receipts: int, unpredictable_receipts: int) -> None:
    """Late Gems says 10 days and takes 12; Crystal Broker says nothing and takes 9; today is MONDAY."""
    on(pb, START)
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nLate Gems,,\nCrystal Broker,,\n")
    import_text(pb, ImportKind.ITEMS, CATALOGUE)
    history(pb, "OLD-GEM", "Late Gems", receipts=late_receipts, stated=10, took=12)
    history(pb, "OLD-KYBER", "Crystal Broker", receipts=unpredictable_receipts, stated=None, took=9)
    on(pb, MONDAY)


def promise_of(pb: Pegboard, sku: str) -> tuple[date | None, str]:
    """Place an order for 2 of `sku` (none in stock) and plan: its one promise."""
    found = planned_promise(pb, sku)
    return found.date, found.reason


def planned_promise(pb: Pegboard, sku: str) -> Promise:
    """Place an order for 2 of `sku` (none in stock) and plan: its one promise, whole."""
    draft = orders.OrderDraft(
        order_ref=f"SO-{sku}", customer="Someone", lines=(orders.LineDraft(sku, to_quantity(2)),)
    )
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    (found,) = [p for p in run.result.promises if p.order_ref == f"SO-{sku}"]
    return found


def gem_po(pb: Pegboard) -> date:
    """PO-12 of 2 gems from Late Gems, due in 5 days; returns its date."""
    due = MONDAY + timedelta(days=5)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-12,Late Gems,GEM,2,{due}\n",
    )
    return due


def test_a_habitually_late_suppliers_po_is_promised_later_by_the_learned_slip(pb: Pegboard) -> None:
    workshop_with(pb, late_receipts=6, unpredictable_receipts=0)
    due = gem_po(pb)

    promised, reason = promise_of(pb, "GEM")

    assert promised == due + timedelta(days=2)
    assert (
        reason == f"PO-12 is due {due}; Late Gems is up to 2 days late (the latest of its 6 deliveries): "
        f"promised {promised}"
    )


def late_gems_rescheduling(pb: Pegboard, *, moved_to: int, slip_now: int) -> date:
    """Late Gems says 10 days, takes 12, and moved each old PO to day `moved_to` on its third day;
    PO-12 of 2 gems, due in 5 days, is moved `slip_now` days later today. Returns its first date."""
    on(pb, START)
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nLate Gems,,\nCrystal Broker,,\n")
    import_text(pb, ImportKind.ITEMS, CATALOGUE)
    history(pb, "OLD-GEM", "Late Gems", receipts=6, stated=10, took=12, rescheduled=moved_to)
    on(pb, MONDAY)
    due = gem_po(pb)
    purchasing.reschedule("PO-12", due + timedelta(days=slip_now), uow=pb.uow(), clock=pb.clock)
    return due


def test_a_po_rescheduled_for_a_slip_the_supplier_announced_is_not_padded_twice(pb: Pegboard) -> None:
    # The supplier always tells us: every old PO was moved to the day it came.
    due = late_gems_rescheduling(pb, moved_to=12, slip_now=2)

    promised, reason = promise_of(pb, "GEM")

    assert promised == due + timedelta(days=2)
    assert reason == f"PO-12 due {promised}"


def test_a_rescheduled_po_is_still_padded_by_the_slip_its_supplier_did_not_announce(pb: Pegboard) -> None:
    # The supplier moved its POs to day 11 and still took 12: one day it never announces.
    due = late_gems_rescheduling(pb, moved_to=11, slip_now=1)

    promised, reason = promise_of(pb, "GEM")

    assert promised == due + timedelta(days=2)
    assert reason == (
        f"PO-12 is due {due + timedelta(days=1)}; Late Gems is up to 1 day late (the latest of its 6 "
        f"deliveries): promised {promised}"
    )


def test_each_promise_keeps_its_stated_date_beside_the_adjusted_one_in_the_plan_and_stored(
    pb: Pegboard,
) -> None:
    workshop_with(pb, late_receipts=6, unpredictable_receipts=0)
    due = gem_po(pb)

    found = planned_promise(pb, "GEM")
    with pb.reader() as uow:
        [stored] = [p for p in stored_promises(uow.connection, limit=10) if p.order_ref == "SO-GEM"]
    rows = plan_json(planning.preview_plan(uow=pb.uow(), clock=pb.clock).result)["promises"]

    assert (found.date, found.stated_date) == (due + timedelta(days=2), due)
    assert (stored.date, stored.stated_date) == (due + timedelta(days=2), due)
    assert isinstance(rows, list)
    [row] = [r for r in rows if isinstance(r, dict) and r["order_ref"] == "SO-GEM"]
    assert (row["date"], row["stated_date"]) == (str(due + timedelta(days=2)), str(due))


def test_too_little_history_keeps_the_stated_date_and_says_so(pb: Pegboard) -> None:
    workshop_with(pb, late_receipts=3, unpredictable_receipts=0)
    due = gem_po(pb)

    promised, reason = promise_of(pb, "GEM")

    assert promised == due
    assert reason == (
        f"PO-12 due {due}; Late Gems has too little delivery history to learn from (3 of 5 receipts): "
        "the stated date stands"
    )


def overdue_gems(pb: Pegboard, *, days: list[int]) -> None:
    """Open POs of one old gem each from Late Gems, still not come `days` past their date today."""
    rows = "".join(
        f"LATE-{k},Late Gems,OLD-GEM,1,{MONDAY - timedelta(days=late)}\n" for k, late in enumerate(days)
    )
    on(pb, MONDAY - timedelta(days=max(days) + 10))
    import_text(pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity,expected_date\n" + rows)
    on(pb, MONDAY)


def test_a_suppliers_pos_still_overdue_are_learned_from_beside_its_receipts(pb: Pegboard) -> None:
    # Four receipts on time, and two POs still on the way 6 and 9 days past their date.
    workshop_with(pb, late_receipts=0, unpredictable_receipts=0)
    history(pb, "OLD-GEM", "Late Gems", receipts=4, stated=10, took=10)
    overdue_gems(pb, days=[6, 9])
    due = gem_po(pb)

    promised, reason = promise_of(pb, "GEM")

    # Receipts alone (4 of 5, all on time) would keep the stated date: they would be the whole story.
    assert promised == due + timedelta(days=9)
    assert reason == (
        f"PO-12 is due {due}; Late Gems is up to 9 days late (the latest of its 4 receipts and 2 overdue "
        f"PO lines): promised {promised}"
    )


def test_too_little_history_counts_the_overdue_po_lines_beside_the_receipts(pb: Pegboard) -> None:
    workshop_with(pb, late_receipts=0, unpredictable_receipts=0)
    history(pb, "OLD-GEM", "Late Gems", receipts=2, stated=10, took=10)
    overdue_gems(pb, days=[3])
    due = gem_po(pb)

    promised, reason = promise_of(pb, "GEM")

    assert promised == due
    assert reason == (
        f"PO-12 due {due}; Late Gems has too little delivery history to learn from "
        "(2 receipts and 1 overdue PO line, of 5): the stated date stands"
    )


def test_an_unpredictable_supplier_gets_a_date_once_its_lead_times_are_learned(pb: Pegboard) -> None:
    workshop_with(pb, late_receipts=0, unpredictable_receipts=4)
    assert promise_of(pb, "KYBER")[0] is None

    history(pb, "OLD-KYBER", "Crystal Broker", receipts=2, stated=None, took=9, first=4)
    on(pb, MONDAY)
    run = planning.run_plan(uow=pb.uow(), clock=pb.clock)
    (found,) = [p for p in run.result.promises if p.order_ref == "SO-KYBER"]

    assert found.date == MONDAY + timedelta(days=9)
    assert "Crystal Broker gives no lead time; the longest of its 6 deliveries took 9 days" in found.reason


def test_with_reliability_dates_off_the_stated_dates_stand(sqlite_url: str) -> None:
    pb = bootstrap(Settings(database_url=sqlite_url, reliability_dates=False), today=MONDAY)
    try:
        workshop_with(pb, late_receipts=6, unpredictable_receipts=6)
        due = MONDAY + timedelta(days=5)
        import_text(
            pb,
            ImportKind.PURCHASE_ORDERS,
            f"po_ref,supplier,sku,quantity,expected_date\nPO-12,Late Gems,GEM,2,{due}\n",
        )

        assert promise_of(pb, "GEM") == (due, f"PO-12 due {due}")
        assert promise_of(pb, "KYBER")[0] is None
    finally:
        pb.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workshop=workshops(), late=st.sampled_from([0, 1, 3]), receipts=st.sampled_from([3, 6]))
def test_a_quote_is_still_the_promise_once_suppliers_have_a_history(
    workshop: Workshop, late: int, receipts: int, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"reliable-quote-{abs(hash((workshop, late, receipts)))}.db"
    shutil.copy(sqlite_template, path)
    pb = bootstrap(Settings(database_url=f"sqlite:///{path}"), today=MONDAY)
    try:
        on(pb, START)
        import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nAcme,,2\nVague,,\n")
        import_text(
            pb,
            ImportKind.ITEMS,
            "sku,name,procurement,lead_time_days,supplier\nOLD-A,Old A,buy,,Acme\nOLD-V,Old V,buy,,Vague\n",
        )
        history(pb, "OLD-A", "Acme", receipts=receipts, stated=2, took=2 + late)
        history(pb, "OLD-V", "Vague", receipts=receipts, stated=None, took=4 + late)
        on(pb, MONDAY)
        for kind, text in workshop.csv:
            if kind is not ImportKind.SUPPLIERS:
                import_text(pb, kind, text)
        request = QuoteRequest(workshop.lines, workshop.priority, workshop.ship_policy)

        quoted = quote(request, uow=pb.reader(), clock=pb.clock)

        placed, promised = placed_and_promised(pb, workshop)
        for line, got in zip(placed.lines, quoted.lines, strict=True):
            assert got.now == line.allocated_quantity
            assert [(q.quantity, q.date, q.reason, q.basis) for q in got.parts] == promised.get(
                line.line_no, []
            )
    finally:
        pb.close()
        path.unlink()
