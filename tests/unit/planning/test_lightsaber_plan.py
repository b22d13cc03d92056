"""The lightsaber workshop of DESIGN.md, planned: open term, a crystal PO giving SO-2 a date, the slip."""

from __future__ import annotations

from dataclasses import replace

from pegboard.planning.engine import plan
from pegboard.planning.result import ProductionSuggestion, Promise, PurchaseSuggestion, QueueEntry
from pegboard.views.plan import plan_json
from tests.unit.planning.builders import TODAY, day, lightsaber_workshop, q
from tests.unit.planning.reference_planner import reference_plan

OPEN_TERM = "open term: KYBER-GREEN has no predictable lead time and no open PO"


def test_one_green_saber_is_made_now_for_so1_and_so2_is_open_term() -> None:
    given = lightsaber_workshop()

    result = plan(given)

    assert result == reference_plan(given)
    assert result.promises == [
        Promise(
            "SO-1", 1, "SABER-GREEN", q(1), day(1), "planned MO finishes 2026-12-02", "planned MO", day(1)
        ),
        Promise("SO-2", 1, "SABER-GREEN", q(2), None, OPEN_TERM, "planned MO", None),
    ]
    assert result.purchase_suggestions == [
        PurchaseSuggestion("Crystal Broker", "KYBER-GREEN", q(2), TODAY, None)
    ]
    assert result.production_suggestions == [
        ProductionSuggestion("PLANNED-1", "SABER-GREEN", q(1), TODAY, day(1)),
        ProductionSuggestion("PLANNED-2", "SABER-GREEN", q(2), None, None),
    ]
    first, second = result.production_queue
    assert first == QueueEntry("PLANNED-1", "SABER-GREEN", q(1), TODAY, day(1), ("SO-1",), ())
    assert (second.ref, second.completes) == ("PLANNED-2", ("SO-2",))
    assert [(m.sku, m.quantity, m.available_date) for m in second.missing] == [("KYBER-GREEN", q(2), None)]


def test_a_crystal_po_due_in_14_days_gives_so2_that_date_plus_a_day() -> None:
    given = lightsaber_workshop(crystal_po_due=day(14))

    result = plan(given)

    assert result == reference_plan(given)
    assert result.promises[0] == plan(lightsaber_workshop()).promises[0]
    assert result.promises[1] == Promise(
        "SO-2",
        1,
        "SABER-GREEN",
        q(2),
        day(15),
        "planned MO finishes 2026-12-16, after KYBER-GREEN on PO-1 due 2026-12-15",
        "planned MO",
        day(15),
    )
    assert result.purchase_suggestions == []
    assert [(s.quantity, s.start_date, s.finish_date) for s in result.production_suggestions] == [
        (q(1), TODAY, day(1)),
        (q(2), day(14), day(15)),
    ]


def test_when_the_crystal_po_slips_a_week_only_so2_moves() -> None:
    before = plan(lightsaber_workshop(crystal_po_due=day(14)))

    after = plan(lightsaber_workshop(crystal_po_due=day(21)))

    changed = [
        (b.order_ref, b.date, a.date) for b, a in zip(before.promises, after.promises, strict=True) if b != a
    ]
    assert changed == [("SO-2", day(15), day(22))]


def test_the_plan_as_json_follows_the_contract() -> None:
    data = plan_json(plan(lightsaber_workshop()))

    assert list(data) == [
        "promises",
        "purchase_suggestions",
        "production_suggestions",
        "production_queue",
        "adjusted_dates",
    ]
    assert data["promises"] == [
        {
            "order_ref": "SO-1",
            "line_no": 1,
            "sku": "SABER-GREEN",
            "quantity": 1,
            "date": "2026-12-02",
            "reason": "planned MO finishes 2026-12-02",
            "basis": "planned MO",
            "stated_date": "2026-12-02",
        },
        {
            "order_ref": "SO-2",
            "line_no": 1,
            "sku": "SABER-GREEN",
            "quantity": 2,
            "date": None,
            "reason": OPEN_TERM,
            "basis": "planned MO",
            "stated_date": None,
        },
    ]
    assert data["purchase_suggestions"] == [
        {
            "supplier": "Crystal Broker",
            "sku": "KYBER-GREEN",
            "quantity": 2,
            "order_date": "2026-12-01",
            "expected_date": None,
        }
    ]
    assert data["production_queue"][1] == {  # type: ignore[index]
        "ref": "PLANNED-2",
        "sku": "SABER-GREEN",
        "quantity": 2,
        "start_date": None,
        "finish_date": None,
        "completes": ["SO-2"],
        "missing": [{"sku": "KYBER-GREEN", "quantity": 2, "available_date": None}],
        "options": {},  # a plain saber: no configuration
    }


def test_json_quantities_are_whole_numbers_when_whole_else_fractions() -> None:
    given = lightsaber_workshop()
    so1, so2 = given.demands

    data = plan_json(plan(replace(given, demands=[so1, replace(so2, quantity=q("2.5"))])))

    promises = data["promises"]
    assert isinstance(promises, list)
    assert [p["quantity"] for p in promises if isinstance(p, dict)] == [1, 2.5]
