"""Reliability-adjusted dates: promises resting on a PO or a lead time move by the supplier's
learned lateness at the plan's confidence, and say so; too little history keeps the stated date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from pegboard.planning.engine import plan
from pegboard.planning.reliability import (
    MIN_HISTORY,
    Delivery,
    Reliability,
    item_reliability,
    supplier_reliability,
)
from pegboard.planning.reliable import DateNote, pair_history
from pegboard.planning.snapshot import OpenPurchaseLine, PlanInput
from tests.unit.planning.builders import TODAY, backorder, buy, day, lightsaber_workshop, q, snapshot

BROKER = "Crystal Broker"


def _history(lateness: list[int], *, sku: str = "KYBER-GREEN", stated: int | None = 10) -> list[Reliability]:
    """Receipts of one unit each: ordered weeks ago, due `stated` days later (None: no date), `late` late."""
    found = []
    for k, late in enumerate(lateness):
        ordered = TODAY - timedelta(days=60 - 7 * k)
        due = None if stated is None else ordered + timedelta(days=stated)
        received = (due or ordered) + timedelta(days=late)
        found.append(Delivery(BROKER, sku, f"OLD-{k}", ordered, due, received, Decimal(1)))
    return [*supplier_reliability(found), *item_reliability(found).values()]


def _crystal_po(due: date) -> PlanInput:
    workshop = lightsaber_workshop()
    line = OpenPurchaseLine("PO-12", "KYBER-GREEN", q(2), due, BROKER, TODAY)
    return replace(workshop, purchase_lines=[line])


def _promise_of(result_promises: object, order_ref: str) -> tuple[date | None, str]:
    found = [p for p in result_promises if p.order_ref == order_ref]  # type: ignore[attr-defined]
    assert len(found) == 1
    return found[0].date, found[0].reason


def test_a_promise_on_a_habitually_late_suppliers_po_is_later_by_the_learned_slip_and_says_why() -> None:
    workshop = replace(
        _crystal_po(day(14)), reliability=_history([2, 2, 1, 2, 2, 2, 0, 2, 2]), confidence=0.9
    )

    promised, reason = _promise_of(plan(workshop).promises, "SO-2")

    assert promised == day(14) + timedelta(days=2 + 1)
    assert reason == (
        f"planned MO finishes {day(17)}, after KYBER-GREEN on PO-12 due {day(14)}; "
        f"Crystal Broker is usually 2 days late (90% confidence): counted as {day(16)}"
    )


def test_a_promise_resting_right_on_a_late_suppliers_po_names_both_dates() -> None:
    crystal = snapshot(
        [buy("GEM", days=10, supplier=BROKER)],
        backorder("SO-9", "GEM", 1),
        purchases=[OpenPurchaseLine("PO-12", "GEM", q(1), day(5), BROKER, TODAY)],
    )
    learned = replace(crystal, reliability=_history([3, 3, 3, 3, 3, 0, 3, 3, 3], sku="GEM"), confidence=0.9)

    promised, reason = _promise_of(plan(learned).promises, "SO-9")

    assert promised == day(8)
    assert (
        reason
        == f"PO-12 is due {day(5)}; Crystal Broker is usually 3 days late (90% confidence): promised {day(8)}"
    )


def test_the_confidence_sets_how_much_of_the_history_the_date_covers() -> None:
    workshop = _crystal_po(day(14))
    history = _history([0, 0, 0, 0, 0, 0, 0, 0, 4, 6])

    at_half = _promise_of(plan(replace(workshop, reliability=history, confidence=0.5)).promises, "SO-2")
    at_95 = _promise_of(plan(replace(workshop, reliability=history, confidence=0.95)).promises, "SO-2")

    assert at_half[0] == day(15)
    assert at_95[0] == day(14) + timedelta(days=6 + 1)


def test_too_little_history_keeps_the_stated_date_and_the_reason_says_so() -> None:
    workshop = replace(_crystal_po(day(14)), reliability=_history([5, 5, 5]), confidence=0.9)

    promised, reason = _promise_of(plan(workshop).promises, "SO-2")

    assert promised == day(15)
    assert reason == (
        f"planned MO finishes {day(15)}, after KYBER-GREEN on PO-12 due {day(14)}; "
        "Crystal Broker has too little delivery history to learn from (3 of 5 receipts)"
    )


def test_without_a_confidence_the_stated_dates_stand_whatever_the_history() -> None:
    workshop = replace(_crystal_po(day(14)), reliability=_history([2] * 8), confidence=None)

    assert plan(workshop) == plan(_crystal_po(day(14)))


def test_an_unpredictable_supplier_stays_open_term_until_history_dates_it() -> None:
    workshop = lightsaber_workshop()  # crystals have no lead time and no PO: SO-2 is open term
    few = replace(workshop, reliability=_history([9, 10, 11], stated=None), confidence=0.9)
    enough = replace(
        workshop, reliability=_history([9, 10, 11, 12, 9, 10, 10, 9, 11], stated=None), confidence=0.9
    )

    before, why_not = _promise_of(plan(few).promises, "SO-2")
    after, why = _promise_of(plan(enough).promises, "SO-2")

    assert before is None
    assert why_not == (
        "open term: KYBER-GREEN has no predictable lead time and no open PO; "
        "Crystal Broker has too little delivery history to learn from (3 of 5 receipts)"
    )
    assert after == day(12 + 1)
    assert why == (
        f"planned MO finishes {day(13)}, after KYBER-GREEN on a planned PO arriving {day(12)}; "
        "Crystal Broker gives no lead time; 90% of its deliveries took 12 days or less"
    )


def test_a_po_without_a_date_from_an_unpredictable_supplier_counts_from_the_day_it_was_placed() -> None:
    placed = OpenPurchaseLine("PO-7", "KYBER-GREEN", q(2), None, BROKER, TODAY - timedelta(days=4))
    workshop = replace(
        lightsaber_workshop(),
        purchase_lines=[placed],
        reliability=_history([10] * 6, stated=None),
        confidence=0.9,
    )

    promised, _ = _promise_of(plan(workshop).promises, "SO-2")

    assert promised == day(6 + 1)


def test_purchase_suggestions_keep_the_stated_lead_time_a_confirmed_po_will_carry() -> None:
    gems = snapshot([buy("GEM", days=10, supplier=BROKER)], backorder("SO-9", "GEM", 1))
    learned = replace(gems, reliability=_history([3] * 6, sku="GEM"), confidence=0.9)

    result = plan(learned)

    assert [s.expected_date for s in result.purchase_suggestions] == [day(10)]
    assert _promise_of(result.promises, "SO-9")[0] == day(13)


def test_the_plan_lists_each_moved_date_beside_the_stated_one() -> None:
    workshop = replace(_crystal_po(day(14)), reliability=_history([2] * 9), confidence=0.9)
    more = replace(workshop, demands=[*workshop.demands, backorder("SO-5", "SABER-GREEN", 1, minute=9)])

    result = plan(more)

    assert [(a.po_ref, a.sku, a.stated_date, a.date, a.learned) for a in result.adjusted_dates] == [
        ("PO-12", "KYBER-GREEN", day(14), day(16), True),
        (None, "KYBER-GREEN", None, day(10 + 2), True),
    ]
    assert result.adjusted_dates[0].reason == "Crystal Broker is usually 2 days late (90% confidence)"


def _receipts(lateness: list[int], *, sku: str, first: int = 0) -> list[Delivery]:
    """Receipts of one unit of `sku` each, due 10 days after ordering, `late` days late."""
    found = []
    for k, late in enumerate(lateness, start=first):
        ordered = TODAY - timedelta(days=200 - 3 * k)
        due = ordered + timedelta(days=10)
        found.append(Delivery(BROKER, sku, f"OLD-{k}", ordered, due, due + timedelta(days=late), Decimal(1)))
    return found


def test_a_supplier_and_item_pair_dates_its_pos_only_once_its_history_can_state_the_confidence() -> None:
    blue = _receipts([3] * 20, sku="KYBER-BLUE")  # the broker's other crystals: 3 days late

    def promised_with(green_receipts: int) -> date | None:
        history = [*blue, *_receipts([0] * green_receipts, sku="KYBER-GREEN", first=100)]
        figures = [*supplier_reliability(history), *item_reliability(history).values()]
        workshop = replace(_crystal_po(day(14)), reliability=figures, confidence=0.9)
        return _promise_of(plan(workshop).promises, "SO-2")[0]

    assert pair_history(0.9) == 9 and pair_history(0.95) == 19 and pair_history(0.5) == MIN_HISTORY
    # 6 green crystals on time cannot say "90%" alone: the broker's 26 receipts speak (3 days late).
    assert promised_with(6) == day(14) + timedelta(days=3 + 1)
    # 9 can: the green crystals' own history (on time) dates their PO.
    assert promised_with(9) == day(14) + timedelta(days=1)


def test_an_overdue_po_is_dated_by_the_deliveries_that_were_as_late_and_says_so() -> None:
    lateness = [0] * 15 + [1, 1, 4, 5]  # 19 receipts: the next within 4 days late at 90%
    crystal = snapshot(
        [buy("GEM", days=10, supplier=BROKER)],
        backorder("SO-9", "GEM", 1),
        purchases=[OpenPurchaseLine("PO-12", "GEM", q(1), day(-3), BROKER, TODAY - timedelta(days=13))],
    )
    learned = replace(crystal, reliability=_history(lateness, sku="GEM"), confidence=0.9)

    promised, reason = _promise_of(plan(learned).promises, "SO-9")

    # 3 days overdue already: two deliveries were that late (4 and 5 days), too few to say 90%.
    assert promised == day(2)
    assert reason == (
        f"PO-12 overdue since {day(-3)}; Crystal Broker's deliveries 3 days late or more came up to "
        f"5 days late (the latest of the 2 that late): promised {day(2)}"
    )


def test_a_history_too_short_to_hold_the_confidence_dates_by_its_latest_delivery_and_says_so() -> None:
    # 6 deliveries: a next one stays within their latest 6 times in 7, not 9 in 10
    workshop = replace(_crystal_po(day(14)), reliability=_history([2, 2, 1, 3, 0, 2]), confidence=0.9)

    promised, reason = _promise_of(plan(workshop).promises, "SO-2")

    assert promised == day(14) + timedelta(days=3 + 1)
    assert reason == (
        f"planned MO finishes {day(18)}, after KYBER-GREEN on PO-12 due {day(14)}; "
        f"Crystal Broker is up to 3 days late (the latest of its 6 deliveries): counted as {day(17)}"
    )


def test_an_unpredictable_supplier_with_a_short_history_is_dated_by_its_longest_delivery_and_says_so() -> (
    None
):
    workshop = lightsaber_workshop()
    history = _history([9, 10, 11, 12, 9, 10, 10, 9], stated=None)

    promised, reason = _promise_of(
        plan(replace(workshop, reliability=history, confidence=0.9)).promises, "SO-2"
    )

    assert promised == day(12 + 1)
    assert reason.endswith("Crystal Broker gives no lead time; the longest of its 8 deliveries took 12 days")


def test_an_overdue_po_later_than_every_delivery_is_counted_from_today_and_says_so() -> None:
    crystal = snapshot(
        [buy("GEM", days=10, supplier=BROKER)],
        backorder("SO-9", "GEM", 1),
        purchases=[OpenPurchaseLine("PO-12", "GEM", q(1), day(-3), BROKER, TODAY - timedelta(days=13))],
    )
    learned = replace(crystal, reliability=_history([0] * 9 + [1, 2], sku="GEM"), confidence=0.9)

    promised, reason = _promise_of(plan(learned).promises, "SO-9")

    assert promised == day(0)
    assert reason == (
        f"PO-12 overdue since {day(-3)}; Crystal Broker's PO is 3 days overdue, later than any of its "
        f"deliveries: promised {day(0)}"
    )


def test_a_short_history_names_the_overdue_po_lines_it_rests_on() -> None:
    note = DateNote(BROKER, 4, True, 0.9, 5, stated_date=day(3), overdue_lines=2, seen=6)

    assert (
        note.history()
        == "Crystal Broker is up to 5 days late (the latest of its 4 receipts and 2 overdue PO lines)"
    )
