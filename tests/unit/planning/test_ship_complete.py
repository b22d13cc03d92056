"""Ship-complete orders: every line, also a held one, is promised the order's date, naming the
line that holds it; an open-term line makes the whole order open term."""

from __future__ import annotations

from pegboard.planning.engine import plan
from pegboard.planning.promises import by_line
from pegboard.planning.result import STOCK
from pegboard.planning.snapshot import HeldLine, OpenPurchaseLine, PlanInput, PlanItem
from tests.unit.planning.builders import TODAY, backorder, day, q
from tests.unit.planning.reference_planner import reference_plan


def office(*, complete: bool = True, chair_po: bool = True) -> PlanInput:
    """SO-1 wants a desk (PO-1 due in 9 days), a chair (PO-2 due in 10) and a lamp held in stock."""
    return PlanInput(
        today=TODAY,
        items=[PlanItem("DESK"), PlanItem("CHAIR"), PlanItem("LAMP")],
        purchase_lines=[
            OpenPurchaseLine("PO-1", "DESK", q(1), day(9)),
            OpenPurchaseLine("PO-2", "CHAIR", q(1), day(10) if chair_po else None),
        ],
        demands=[backorder("SO-1", "DESK", 1, line_no=1), backorder("SO-1", "CHAIR", 1, line_no=2)],
        ship_complete=frozenset({"SO-1"} if complete else ()),
        held=[HeldLine("SO-1", 3, "LAMP", q(2))],
    )


def lines(snapshot: PlanInput) -> dict[str, tuple[object, str, str]]:
    return {p.sku: (p.promised_date, p.reason, p.basis) for p in by_line(plan(snapshot).promises)}


def test_every_line_of_a_ship_complete_order_is_promised_the_date_of_its_last_line() -> None:
    found = lines(office())

    assert found == {
        "DESK": (day(10), f"ships with CHAIR, {day(10)}", "PO-2"),
        "CHAIR": (day(10), f"PO-2 due {day(10)}", "PO-2"),
        "LAMP": (day(10), f"ships with CHAIR, {day(10)}", "PO-2"),
    }


def test_a_partial_order_keeps_each_lines_own_date_and_its_held_line_gets_no_promise() -> None:
    found = lines(office(complete=False))

    assert found == {
        "DESK": (day(9), f"PO-1 due {day(9)}", "PO-1"),
        "CHAIR": (day(10), f"PO-2 due {day(10)}", "PO-2"),
    }


def test_an_open_term_line_makes_the_whole_ship_complete_order_open_term_and_says_why() -> None:
    found = lines(office(chair_po=False))

    assert {sku: date for sku, (date, _, _) in found.items()} == {"DESK": None, "CHAIR": None, "LAMP": None}
    assert (
        found["DESK"][1]
        == "open term: ships complete with CHAIR, which is open term: PO-2 has no expected date"
    )
    assert found["CHAIR"][1] == "open term: PO-2 has no expected date"


def test_a_held_line_of_an_order_with_nothing_waiting_is_not_promised() -> None:
    snapshot = office()
    snapshot = PlanInput(
        today=TODAY, items=snapshot.items, ship_complete=snapshot.ship_complete, held=snapshot.held
    )

    assert list(plan(snapshot).promises) == []


def test_lines_that_hold_the_order_on_the_same_day_each_keep_their_own_reason() -> None:
    snapshot = office()
    snapshot = PlanInput(
        today=TODAY,
        items=snapshot.items,
        purchase_lines=[
            OpenPurchaseLine("PO-1", "DESK", q(1), day(10)),
            OpenPurchaseLine("PO-2", "CHAIR", q(1), day(10)),
        ],
        demands=snapshot.demands,
        ship_complete=snapshot.ship_complete,
    )

    found = lines(snapshot)

    assert found["DESK"] == (day(10), f"PO-1 due {day(10)}", "PO-1")
    assert found["CHAIR"] == (day(10), f"PO-2 due {day(10)}", "PO-2")


def test_the_reference_planner_gives_ship_complete_orders_the_same_dates() -> None:
    snapshot = office()

    assert list(reference_plan(snapshot).promises) == list(plan(snapshot).promises)
    assert [p.basis for p in plan(snapshot).promises if p.sku == "LAMP"] == ["PO-2"]
    assert STOCK not in {p.basis for p in plan(snapshot).promises}
