"""Promises keep what was sold: preorders never before their release date; drop-ship lines by
their supplier's PO, never by our stock or supply."""

from __future__ import annotations

from dataclasses import replace

from pegboard.planning.engine import plan
from pegboard.planning.result import OPEN_TERM
from pegboard.planning.snapshot import DropshipDemand, OpenPurchaseLine, PlanInput, PlanItem
from pegboard.planning.terms import RELEASE
from tests.unit.planning.builders import TODAY, backorder, day, q


def lamp_workshop(**changes: object) -> PlanInput:
    """LAMP (bought in 2 days from Acme), 5 on hand; SO-1 wants 2 of them."""
    snapshot = PlanInput(
        today=TODAY,
        items=[PlanItem("LAMP", "buy", supplier="Acme", supplier_lead_time_days=2)],
        available={"LAMP": q(5)},
        demands=[backorder("SO-1", "LAMP", 2)],
    )
    return replace(snapshot, **changes)  # type: ignore[arg-type]


def promised(snapshot: PlanInput) -> list[tuple[str, object, object, str, str]]:
    return [(p.order_ref, p.quantity, p.date, p.reason, p.basis) for p in plan(snapshot).promises]


def test_a_preorder_with_stock_on_hand_is_promised_for_its_release_date() -> None:
    snapshot = lamp_workshop(demands=[replace(backorder("SO-1", "LAMP", 2), release_date=day(10))])

    assert promised(snapshot) == [("SO-1", 2, day(10), f"preorder: releases {day(10)}", RELEASE)]


def test_a_preorder_keeps_the_supplys_date_and_reason_when_the_supply_comes_later() -> None:
    snapshot = lamp_workshop(
        available={},
        purchase_lines=[OpenPurchaseLine("PO-1", "LAMP", q(2), day(12))],
        demands=[replace(backorder("SO-1", "LAMP", 2), release_date=day(10))],
    )

    assert promised(snapshot) == [("SO-1", 2, day(12), f"PO-1 due {day(12)}", "PO-1")]


def test_a_preorder_waiting_on_an_unpredictable_supply_stays_open_term() -> None:
    snapshot = lamp_workshop(
        items=[PlanItem("LAMP", "buy", supplier="Acme")],
        available={},
        demands=[replace(backorder("SO-1", "LAMP", 2), release_date=day(10))],
    )

    [(_, _, date, reason, basis)] = promised(snapshot)
    assert (date, basis) == (None, OPEN_TERM)
    assert reason.startswith("open term")


def test_a_released_preorder_is_promised_like_a_backorder() -> None:
    snapshot = lamp_workshop(demands=[replace(backorder("SO-1", "LAMP", 2), release_date=day(-1))])

    assert promised(snapshot) == [("SO-1", 2, TODAY, "in stock", "stock")]


def test_the_release_floor_touches_only_the_preorder_lines() -> None:
    snapshot = lamp_workshop(
        demands=[
            replace(backorder("SO-1", "LAMP", 2), release_date=day(10)),
            backorder("SO-2", "LAMP", 1, minute=1),
        ]
    )

    assert [(ref, date) for ref, _, date, _, _ in promised(snapshot)] == [("SO-1", day(10)), ("SO-2", TODAY)]


def dropship(expected: object, *, po_ref: str | None = "PO-7") -> DropshipDemand:
    return DropshipDemand("SO-9", 1, "LAMP", q(3), po_ref, "Chair Co" if po_ref else None, expected)  # type: ignore[arg-type]


def test_a_drop_ship_line_is_promised_for_its_po_date_and_takes_none_of_our_stock() -> None:
    snapshot = lamp_workshop(dropships=[dropship(day(4))])

    result = plan(snapshot)

    assert [(p.order_ref, p.quantity, p.date, p.reason, p.basis) for p in result.promises] == [
        ("SO-1", 2, TODAY, "in stock", "stock"),
        ("SO-9", 3, day(4), f"ships from Chair Co, PO-7 due {day(4)}", "PO-7"),
    ]
    assert result.purchase_suggestions == []


def test_an_overdue_drop_ship_po_counts_as_due_today() -> None:
    snapshot = lamp_workshop(dropships=[dropship(day(-2))])

    assert promised(snapshot)[-1][2:] == (
        TODAY,
        f"ships from Chair Co: PO-7 overdue since {day(-2)}, counted as {TODAY}",
        "PO-7",
    )


def test_a_drop_ship_line_without_a_date_or_without_a_po_is_open_term() -> None:
    undated = lamp_workshop(dropships=[dropship(None)])
    orphan = lamp_workshop(dropships=[dropship(None, po_ref=None)])

    assert promised(undated)[-1][2:] == (
        None,
        "open term: ships from Chair Co, PO-7 has no expected date",
        "PO-7",
    )
    assert promised(orphan)[-1][2:] == (None, "open term: LAMP has no drop-ship PO", OPEN_TERM)
