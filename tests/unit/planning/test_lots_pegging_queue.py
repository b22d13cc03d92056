"""Lot sizing, pegging, the production queue, determinism and bad input, with known answers."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from pegboard.planning.engine import plan
from pegboard.planning.snapshot import PlanBomLine, PlanInput, PlanInputError
from tests.unit.planning.builders import (
    TODAY,
    backorder,
    bom,
    buy,
    day,
    lightsaber_workshop,
    make,
    mo,
    q,
    snapshot,
)
from tests.unit.planning.test_rules import planned, purchases

# 6. Lot sizing: minimum order quantity and order multiple; one PO line per supplier and SKU.


def test_a_planned_po_is_lot_sized_and_its_excess_serves_the_next_backorder() -> None:
    given = snapshot(
        [buy("KETTLE", min_order_qty=q(10), order_multiple=q(4))],
        backorder("SO-1", "KETTLE", 3, minute=0),
        backorder("SO-2", "KETTLE", 5, minute=1),
    )

    result = planned(given)

    assert purchases(result) == [("Acme", "KETTLE", q(12), day(5))]
    assert [(p.order_ref, p.basis) for p in result.promises] == [
        ("SO-1", "planned PO"),
        ("SO-2", "planned PO"),
    ]


def test_planned_mos_respect_the_minimum_and_merge_when_their_dates_agree() -> None:
    given = snapshot(
        [make("TEAPOT", min_order_qty=q(5))],
        backorder("SO-1", "TEAPOT", 1, minute=0),
        backorder("SO-2", "TEAPOT", 3, minute=1),
        backorder("SO-3", "TEAPOT", 2, minute=2),
    )

    result = planned(given)

    # SO-1 opens an MO of 5; SO-2 rests on its excess; SO-3 takes the last unit and a new MO of 5.
    assert [(p.order_ref, int(p.quantity)) for p in result.promises] == [
        ("SO-1", 1),
        ("SO-2", 3),
        ("SO-3", 1),
        ("SO-3", 1),
    ]
    assert [
        (s.ref, s.sku, s.quantity, s.start_date, s.finish_date) for s in result.production_suggestions
    ] == [("PLANNED-1", "TEAPOT", q(10), TODAY, day(1))]


def test_purchase_suggestions_are_grouped_by_supplier() -> None:
    given = snapshot(
        [buy("LID", supplier="Bree"), buy("KETTLE"), buy("HEATER"), buy("SPOUT", supplier=None)],
        *(
            backorder(f"SO-{k}", sku, 1, minute=k)
            for k, sku in enumerate(["LID", "SPOUT", "KETTLE", "HEATER"])
        ),
    )

    result = planned(given)

    assert [(s.supplier, s.sku) for s in result.purchase_suggestions] == [
        ("Acme", "HEATER"),
        ("Acme", "KETTLE"),
        ("Bree", "LID"),
        (None, "SPOUT"),
    ]
    assert {s.order_date for s in result.purchase_suggestions} == {TODAY}


# 7. Pegging: each promise names its supply; a line may rest on several.


def test_a_line_split_across_stock_an_open_mo_and_a_planned_mo() -> None:
    given = snapshot(
        [make("TEAPOT", days=2)],
        backorder("SO-1", "TEAPOT", 4),
        stock={"TEAPOT": 1},
        mos=[mo("MO-7", "TEAPOT", 1, 0, 3)],
    )

    result = planned(given)

    assert [(int(p.quantity), p.date, p.reason, p.basis) for p in result.promises] == [
        (1, TODAY, "in stock", "stock"),
        (1, day(3), "MO-7 finishes 2026-12-04", "MO-7"),
        (2, day(2), "planned MO finishes 2026-12-03", "planned MO"),
    ]


# 8. The production queue: what can be made now first, then what makes the most orders whole.


def two_products(*, chips: int, widget_first: bool) -> PlanInput:
    first, second = ("WIDGET", "GADGET") if widget_first else ("GADGET", "WIDGET")
    return snapshot(
        [make("GADGET"), make("WIDGET"), buy("CHIP", days=5), buy("BOLT", days=3)],
        backorder("SO-1", first, 1, minute=0),
        backorder("SO-2", "WIDGET", 1, minute=1),
        backorder("SO-3", second, 1, minute=2),
        boms=bom("GADGET", ("CHIP", 1)) + bom("WIDGET", ("BOLT", 1)),
        stock={"CHIP": chips},
    )


def test_what_can_be_made_now_comes_first_in_the_queue() -> None:
    result = planned(two_products(chips=1, widget_first=True))

    assert [(e.ref, e.sku, e.completes, e.start_date) for e in result.production_queue] == [
        ("PLANNED-1", "GADGET", ("SO-3",), TODAY),
        ("PLANNED-2", "WIDGET", ("SO-1", "SO-2"), day(3)),
    ]
    assert result.production_queue[0].missing == ()
    assert [(m.sku, m.quantity, m.available_date) for m in result.production_queue[1].missing] == [
        ("BOLT", q(2), day(3))
    ]


def test_then_what_makes_the_most_orders_whole_then_the_oldest() -> None:
    result = planned(two_products(chips=0, widget_first=False))

    assert [(e.ref, e.completes) for e in result.production_queue] == [
        ("PLANNED-2", ("SO-2", "SO-3")),
        ("PLANNED-1", ("SO-1",)),
    ]


def test_an_order_is_made_whole_only_by_the_last_supply_it_waits_for() -> None:
    given = snapshot(
        [make("GADGET", days=1), make("WIDGET", days=4)],
        backorder("SO-1", "GADGET", 1, line_no=1),
        backorder("SO-1", "WIDGET", 1, line_no=2),
    )

    result = planned(given)

    assert [(e.sku, e.completes) for e in result.production_queue] == [("WIDGET", ("SO-1",)), ("GADGET", ())]


# 9. Deterministic: the same snapshot, in any input order, gives the same plan.


def test_the_input_order_of_items_boms_stock_and_supply_does_not_matter() -> None:
    given = lightsaber_workshop(crystal_po_due=day(14))
    shuffled = random.Random(3)
    items, boms = list(given.items), list(given.bom_lines)
    shuffled.shuffle(items)
    shuffled.shuffle(boms)
    stock = dict(reversed(list(given.available.items())))

    again = replace(given, items=items, bom_lines=boms, available=stock)

    assert plan(again) == plan(given)


# Bad input is refused with a reason, not planned wrongly.


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"demands": [backorder("SO-1", "NOPE", 1)]}, "unknown SKU NOPE"),
        (
            {"bom_lines": [PlanBomLine("HILT", "EMITTER", q(1)), PlanBomLine("EMITTER", "HILT", q(1))]},
            "cycle",
        ),
        ({"available": {"HILT": q("0.0000001")}}, "six decimal places"),
    ],
)
def test_a_snapshot_that_cannot_be_planned_is_refused(change: dict[str, object], message: str) -> None:
    given = replace(lightsaber_workshop(), **change)  # type: ignore[arg-type]

    with pytest.raises(PlanInputError, match=message):
        plan(given)
