"""Confirmed MOs reserve their components, on SQLite and PostgreSQL: a new order or a receipt
does not take what the plan counted for an MO; completing consumes the reservation; a count
below what is reserved takes MOs' components back before order lines'; the plan sees reserved
stock as pegged to its MO."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from pegboard.adapters.clock import FixedClock
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.services import manufacturing, orders, purchasing, stock
from pegboard.services.imports import ImportKind
from pegboard.services.planning import run_plan
from pegboard.views.production import manufacturing_order
from tests.builders import import_text, line_state

#: One KIT takes two bolts and one nut.
CATALOGUE = (
    "sku,name,procurement,lead_time_days,supplier\n"
    "BOLT,Bolt,buy,3,Bolts Ltd\n"
    "NUT,Nut,buy,3,Bolts Ltd\n"
    "KIT,Kit,make,1,\n"
)


def load(pb: Pegboard, *, bolts: int, nuts: int) -> None:
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nBolts Ltd,,3\n")
    import_text(pb, ImportKind.ITEMS, CATALOGUE)
    import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nKIT,BOLT,2\nKIT,NUT,1\n")
    import_text(pb, ImportKind.STOCK, f"sku,quantity\nBOLT,{bolts}\nNUT,{nuts}\n")


def place(pb: Pegboard, ref: str, sku: str, quantity: int) -> None:
    draft = orders.OrderDraft(ref, "Ada", (orders.LineDraft(sku, to_quantity(quantity)),))
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)


def make(pb: Pegboard, quantity: int) -> str:
    return manufacturing.open_manufacturing_order(
        "KIT", to_quantity(quantity), uow=pb.uow(), clock=pb.clock
    ).mo_ref


def reserved(pb: Pegboard, mo_ref: str) -> dict[str, Decimal]:
    with pb.reader() as uow:
        mo = uow.supply.manufacturing_order(mo_ref)
    assert mo is not None
    return mo.reserved


def levels(pb: Pegboard, sku: str) -> tuple[Decimal, Decimal]:
    """On hand and allocated (lines, holds, kept configurations and MOs' reservations)."""
    with pb.reader() as uow:
        level = uow.stock.levels([sku])[sku]
    return level.on_hand, level.allocated


def test_an_opened_mo_reserves_its_components_so_a_later_order_cannot_take_them(pb: Pegboard) -> None:
    load(pb, bolts=4, nuts=2)

    mo = make(pb, 2)
    place(pb, "SO-1", "BOLT", 1)

    assert reserved(pb, mo) == {"BOLT": 4, "NUT": 2}
    assert levels(pb, "BOLT") == (4, 4)
    assert line_state(pb, "SO-1") == [("BOLT", 0, 0, 1, 0)]

    # Completing is not refused: it consumes its reservation, and nothing is left reserved.
    manufacturing.complete_manufacturing_order(mo, uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert reserved(pb, mo) == {}
    assert levels(pb, "BOLT") == (0, 0)
    assert levels(pb, "KIT") == (2, 0)


def test_a_partial_completion_consumes_its_share_of_the_reservation_and_keeps_the_rest(pb: Pegboard) -> None:
    load(pb, bolts=3, nuts=5)
    mo = make(pb, 2)  # needs 4 bolts: 3 reserved, 1 still wanted
    assert reserved(pb, mo) == {"BOLT": 3, "NUT": 2}

    manufacturing.complete_manufacturing_order(mo, Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert reserved(pb, mo) == {"BOLT": 1, "NUT": 1}
    assert levels(pb, "BOLT") == (1, 1)
    assert levels(pb, "NUT") == (4, 1)


def test_a_receipt_serves_lines_ordered_before_the_mo_was_confirmed_then_the_mo_then_later_lines(
    pb: Pegboard,
) -> None:
    load(pb, bolts=0, nuts=1)
    place(pb, "SO-1", "BOLT", 1)
    mo = make(pb, 1)
    place(pb, "SO-2", "BOLT", 1)
    due = pb.clock.today() + timedelta(days=3)
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Bolts Ltd,BOLT,10,{due}\n",
    )

    purchasing.receive("PO-1", "BOLT", Decimal(3), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert line_state(pb, "SO-1") == [("BOLT", 1, 0, 0, 0)]
    assert reserved(pb, mo) == {"BOLT": 2, "NUT": 1}
    assert line_state(pb, "SO-2") == [("BOLT", 0, 0, 1, 0)]

    # Once the MO has all it needs, the next bolt goes to the later line.
    purchasing.receive("PO-1", "BOLT", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert line_state(pb, "SO-2") == [("BOLT", 1, 0, 0, 0)]
    assert reserved(pb, mo) == {"BOLT": 2, "NUT": 1}


def test_a_count_below_what_is_reserved_takes_the_newest_mos_components_before_order_lines(
    pb: Pegboard,
) -> None:
    load(pb, bolts=5, nuts=2)
    place(pb, "SO-1", "BOLT", 1)
    older, newer = make(pb, 1), make(pb, 1)
    assert levels(pb, "BOLT") == (5, 5)

    stock.count({"BOLT": Decimal(2)}, reason="found fewer", uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert reserved(pb, newer) == {"NUT": 1}
    assert reserved(pb, older) == {"BOLT": 1, "NUT": 1}
    assert line_state(pb, "SO-1") == [("BOLT", 1, 0, 0, 0)]
    assert levels(pb, "BOLT") == (2, 2)


def test_the_plan_sees_reserved_components_as_pegged_to_their_mo(pb: Pegboard) -> None:
    load(pb, bolts=2, nuts=1)
    mo = make(pb, 1)
    place(pb, "SO-1", "KIT", 2)

    result = run_plan(uow=pb.uow(), clock=pb.clock).result

    # The MO has all it needs: nothing is missing for it, and only the second kit's parts are bought.
    entry = next(e for e in result.production_queue if e.ref == mo)
    assert entry.missing == ()
    assert entry.start_date == pb.clock.today()
    bought = {s.sku: s.quantity for s in result.purchase_suggestions}
    assert bought == {"BOLT": 2, "NUT": 1}
    dated = sorted((p.quantity, p.reason) for p in result.promises if p.order_ref == "SO-1")
    assert any(reason.startswith(mo) for _, reason in dated), dated


def test_the_mo_page_shows_what_is_reserved_for_it_and_what_is_missing(pb: Pegboard) -> None:
    load(pb, bolts=3, nuts=1)
    mo = make(pb, 2)

    with pb.engine.connect() as conn:
        detail = manufacturing_order(conn, mo)

    assert detail is not None
    picks = {p.sku: (p.needed, p.reserved, p.missing) for p in detail.picks}
    assert picks == {"BOLT": (4, 3, 1), "NUT": (2, 1, 1)}


def test_confirming_the_plans_suggestions_reserves_what_the_new_mos_need(pb: Pegboard) -> None:
    load(pb, bolts=2, nuts=1)
    place(pb, "SO-1", "KIT", 1)

    run = run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    place(pb, "SO-2", "NUT", 1)

    (mo,) = [ref for ref in run.created if ref.startswith("MO-")]
    assert reserved(pb, mo) == {"BOLT": 2, "NUT": 1}
    assert line_state(pb, "SO-2") == [("NUT", 0, 0, 1, 0)]


def test_an_mo_whose_last_component_came_after_its_start_is_planned_from_that_day(pb: Pegboard) -> None:
    load(pb, bolts=0, nuts=1)
    mo = make(pb, 1)  # due to start today and finish tomorrow, but no bolt is there
    monday = pb.clock.today()
    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        f"po_ref,supplier,sku,quantity,expected_date\nPO-1,Bolts Ltd,BOLT,2,{monday + timedelta(days=3)}\n",
    )
    friday = replace(pb, clock=FixedClock(monday + timedelta(days=4)))

    # The bolts come a day late, on Friday: the kit is made from Friday, ready on Saturday.
    purchasing.receive("PO-1", "BOLT", Decimal(2), uow=friday.uow(), clock=friday.clock, policy=pb.policy)
    place(friday, "SO-1", "KIT", 1)
    result = run_plan(uow=friday.uow(), clock=friday.clock).result

    assert reserved(pb, mo) == {"BOLT": 2, "NUT": 1}
    entry = next(e for e in result.production_queue if e.ref == mo)
    assert (entry.start_date, entry.finish_date) == (monday + timedelta(days=4), monday + timedelta(days=5))
    (promise,) = [p for p in result.promises if p.order_ref == "SO-1"]
    assert promise.date == monday + timedelta(days=5)
