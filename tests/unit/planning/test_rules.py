"""The planning rules, one hand-made case each, with known answers (checked on both planners)."""

from __future__ import annotations

from pegboard.planning.engine import plan
from pegboard.planning.result import PlanResult, Promise, PurchaseSuggestion
from pegboard.planning.snapshot import PlanInput, PlanItem
from tests.unit.planning.builders import TODAY, backorder, bom, buy, day, make, mo, po, q, snapshot
from tests.unit.planning.reference_planner import reference_plan


def planned(snapshot: PlanInput) -> PlanResult:
    """The engine's plan, which must also be the reference planner's."""
    result = plan(snapshot)
    assert result == reference_plan(snapshot)
    return result


def dated(result: PlanResult) -> list[tuple[str, int, object, str]]:
    """Promises as (order_ref, quantity, date, basis)."""
    return [(p.order_ref, int(p.quantity), p.date, p.basis) for p in result.promises]


def purchases(result: PlanResult) -> list[tuple[str | None, str, object, object]]:
    """Purchase suggestions as (supplier, sku, quantity, expected_date)."""
    return [(s.supplier, s.sku, s.quantity, s.expected_date) for s in result.purchase_suggestions]


# 1. Demand: backorders by priority, order date, order ref; then safety stock and reorders.


def test_a_higher_priority_is_served_first_even_when_ordered_later() -> None:
    given = snapshot(
        [buy("KETTLE", days=5)],
        backorder("SO-OLD", "KETTLE", 2, minute=0),
        backorder("SO-RUSH", "KETTLE", 2, minute=10, priority=1),
        stock={"KETTLE": 2},
    )

    result = planned(given)

    assert result.promises == [
        Promise("SO-RUSH", 1, "KETTLE", q(2), TODAY, "in stock", "stock", TODAY),
        Promise("SO-OLD", 1, "KETTLE", q(2), day(5), "planned PO arrives 2026-12-06", "planned PO", day(5)),
    ]


def test_equal_priority_goes_by_order_date_then_by_order_ref() -> None:
    given = snapshot(
        [buy("KETTLE")],
        backorder("SO-B", "KETTLE", 1, minute=3),
        backorder("SO-A", "KETTLE", 1, minute=3),
        backorder("SO-Z", "KETTLE", 1, minute=1),
        stock={"KETTLE": 2},
    )

    result = planned(given)

    assert dated(result) == [
        ("SO-Z", 1, TODAY, "stock"),
        ("SO-A", 1, TODAY, "stock"),
        ("SO-B", 1, day(5), "planned PO"),
    ]


def test_safety_stock_is_replenished_after_every_backorder() -> None:
    given = snapshot([buy("KETTLE", safety_stock=q(3))], backorder("SO-1", "KETTLE", 1), stock={"KETTLE": 2})

    result = planned(given)

    assert dated(result) == [("SO-1", 1, TODAY, "stock")]
    assert purchases(result) == [("Acme", "KETTLE", q(2), day(5))]


def test_at_the_reorder_point_the_reorder_quantity_is_ordered_in_lot_sizes() -> None:
    kettle = buy("KETTLE", reorder_point=q(5), reorder_qty=q(10), min_order_qty=q(12), order_multiple=q(5))
    given = snapshot([kettle], stock={"KETTLE": 5})

    result = planned(given)

    assert purchases(result) == [("Acme", "KETTLE", q(15), day(5))]


def test_without_a_reorder_quantity_the_reorder_just_gets_back_above_reorder_point_plus_safety() -> None:
    given = snapshot([buy("KETTLE", reorder_point=q(5), safety_stock=q(2))], stock={"KETTLE": 4})

    result = planned(given)

    assert purchases(result) == [("Acme", "KETTLE", q(4), day(5))]


def test_above_the_reorder_point_nothing_is_reordered() -> None:
    given = snapshot([buy("KETTLE", reorder_point=q(5))], stock={"KETTLE": 6})

    assert planned(given).purchase_suggestions == []


# 2. Supply, earliest first: stock, open POs and MOs by date, then planned orders.


def test_supply_is_used_earliest_first_and_a_line_may_split() -> None:
    given = snapshot(
        [buy("KETTLE", days=10)],
        backorder("SO-1", "KETTLE", 3, minute=0),
        backorder("SO-2", "KETTLE", 2, minute=1),
        backorder("SO-3", "KETTLE", 2, minute=2),
        stock={"KETTLE": 1},
        purchases=[po("PO-LATE", "KETTLE", 2, 9), po("PO-EARLY", "KETTLE", 2, 3)],
    )

    result = planned(given)

    assert [(p.order_ref, int(p.quantity), p.date, p.reason) for p in result.promises] == [
        ("SO-1", 1, TODAY, "in stock"),
        ("SO-1", 2, day(3), "PO-EARLY due 2026-12-04"),
        ("SO-2", 2, day(9), "PO-LATE due 2026-12-10"),
        ("SO-3", 2, day(10), "planned PO arrives 2026-12-11"),
    ]
    assert result.purchase_suggestions == [PurchaseSuggestion("Acme", "KETTLE", q(2), TODAY, day(10))]


def test_an_overdue_po_counts_as_due_today() -> None:
    given = snapshot(
        [buy("KETTLE")], backorder("SO-1", "KETTLE", 1), purchases=[po("PO-OLD", "KETTLE", 1, -5)]
    )

    [promise] = planned(given).promises

    assert (promise.date, promise.reason) == (TODAY, "PO-OLD overdue since 2026-11-26, counted as 2026-12-01")


def test_a_po_without_a_date_is_open_term_and_used_after_dated_ones() -> None:
    given = snapshot(
        [buy("KETTLE")],
        backorder("SO-1", "KETTLE", 1, minute=0),
        backorder("SO-2", "KETTLE", 1, minute=1),
        purchases=[po("PO-SOMEDAY", "KETTLE", 1, None), po("PO-SOON", "KETTLE", 1, 2)],
    )

    first, second = planned(given).promises

    assert (first.order_ref, first.date, first.basis) == ("SO-1", day(2), "PO-SOON")
    assert (second.date, second.reason, second.basis) == (
        None,
        "open term: PO-SOMEDAY has no expected date",
        "PO-SOMEDAY",
    )


def test_an_open_mo_serves_by_its_finish_date() -> None:
    given = snapshot(
        [make("TEAPOT", days=2)], backorder("SO-1", "TEAPOT", 1), mos=[mo("MO-7", "TEAPOT", 2, -1, 1)]
    )

    [promise] = planned(given).promises

    assert (promise.date, promise.reason, promise.basis) == (day(1), "MO-7 finishes 2026-12-02", "MO-7")


# 3. The ranking flows down the BOM; open MOs need their components too.


def shared_heater(*, rush_kettle: bool) -> PlanInput:
    return snapshot(
        [make("KETTLE"), make("TEAPOT"), buy("HEATER", days=6)],
        backorder("SO-1", "TEAPOT", 1, minute=0),
        backorder("SO-2", "KETTLE", 1, minute=5, priority=1 if rush_kettle else 0),
        boms=bom("KETTLE", ("HEATER", 1)) + bom("TEAPOT", ("HEATER", 1)),
        stock={"HEATER": 1},
    )


def test_components_go_first_to_the_mo_serving_the_most_urgent_order() -> None:
    result = planned(shared_heater(rush_kettle=False))

    assert [(p.order_ref, p.date, p.reason) for p in result.promises] == [
        ("SO-1", day(1), "planned MO finishes 2026-12-02"),
        ("SO-2", day(7), "planned MO finishes 2026-12-08, after HEATER on a planned PO arriving 2026-12-07"),
    ]


def test_a_rush_order_takes_the_component_for_its_mo() -> None:
    result = planned(shared_heater(rush_kettle=True))

    assert [(p.order_ref, p.date) for p in result.promises] == [("SO-2", day(1)), ("SO-1", day(7))]


def test_an_open_mo_needs_its_components_after_the_backorders() -> None:
    given = snapshot(
        [make("KETTLE", days=2), buy("HEATER", days=6)],
        backorder("SO-1", "HEATER", 1),
        boms=bom("KETTLE", ("HEATER", 1)),
        stock={"HEATER": 2},
        mos=[mo("MO-7", "KETTLE", 2, 0, 2)],
    )

    result = planned(given)

    assert dated(result) == [("SO-1", 1, TODAY, "stock")]
    assert purchases(result) == [("Acme", "HEATER", q(1), day(6))]
    [entry] = result.production_queue
    assert (entry.ref, entry.start_date, entry.finish_date) == ("MO-7", day(6), day(8))
    assert [(m.sku, m.quantity, m.available_date) for m in entry.missing] == [("HEATER", q(1), day(6))]


# 4. Multi-level BOMs: an item used at several levels is netted once.


def test_an_item_used_at_two_levels_is_netted_once_and_dated_along_the_chain() -> None:
    given = snapshot(
        [make("BIKE", days=2), make("FRAME", days=1), buy("BOLT", days=4)],
        backorder("SO-1", "BIKE", 1),
        boms=bom("BIKE", ("FRAME", 1), ("BOLT", 2)) + bom("FRAME", ("BOLT", 4)),
        stock={"BOLT": 5},
    )

    result = planned(given)

    assert purchases(result) == [("Acme", "BOLT", q(1), day(4))]
    assert [(s.sku, s.start_date, s.finish_date) for s in result.production_suggestions] == [
        ("BIKE", day(5), day(7)),
        ("FRAME", day(4), day(5)),
    ]
    [promise] = result.promises
    assert promise.reason == "planned MO finishes 2026-12-08, after BOLT on a planned PO arriving 2026-12-05"


# 5. Feasible dates: lead times forward from today, MOs after their last component.


def test_a_planned_po_uses_the_supplier_lead_time_before_the_item_one() -> None:
    item = PlanItem("KETTLE", "buy", lead_time_days=9, supplier="Acme", supplier_lead_time_days=3)

    [promise] = planned(snapshot([item], backorder("SO-1", "KETTLE", 1))).promises

    assert promise.date == day(3)


def test_an_unpredictable_item_without_an_open_po_is_open_term() -> None:
    result = planned(snapshot([buy("CRYSTAL", days=None)], backorder("SO-1", "CRYSTAL", 1)))

    [promise] = result.promises
    assert (promise.date, promise.basis) == (None, "open term")
    assert promise.reason == "open term: CRYSTAL has no predictable lead time and no open PO"
    assert purchases(result) == [("Acme", "CRYSTAL", q(1), None)]


def test_an_open_mo_held_up_by_a_component_finishes_later() -> None:
    given = snapshot(
        [make("TEAPOT"), buy("LID", days=5)],
        backorder("SO-1", "TEAPOT", 1),
        boms=bom("TEAPOT", ("LID", 1)),
        mos=[mo("MO-7", "TEAPOT", 1, 0, 1)],
    )

    [promise] = planned(given).promises

    assert (promise.date, promise.basis) == (day(6), "MO-7")
    assert promise.reason == "MO-7 finishes 2026-12-07, after LID on a planned PO arriving 2026-12-06"


def test_an_open_mo_waiting_for_an_open_term_component_is_open_term() -> None:
    given = snapshot(
        [make("TEAPOT"), buy("LID", days=None)],
        backorder("SO-1", "TEAPOT", 1),
        boms=bom("TEAPOT", ("LID", 1)),
        mos=[mo("MO-7", "TEAPOT", 1, 0, 1)],
    )

    [promise] = planned(given).promises

    assert promise.date is None
    assert promise.reason == "open term: MO-7 waits for LID; LID has no predictable lead time and no open PO"
