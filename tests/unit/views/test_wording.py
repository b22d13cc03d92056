"""The plain words of the status page: dates, quantities, statuses, and why a line waits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pegboard.planning.arrays import NONE
from pegboard.planning.reasons import Supply, SupplyKind, promise_reason
from pegboard.planning.ship_complete import ships_with
from pegboard.views.wording import (
    Component,
    Source,
    Waiting,
    explain,
    held_by,
    long_date,
    quantity_words,
    ready_words,
    source_of,
    status_words,
    waited_on,
)

TODAY = date(2026, 11, 23)
DUE = date(2026, 12, 7)
READY = date(2026, 12, 8)


def _reason(supply: Supply, root: Supply | None = None, expected: date | None = None) -> str:
    return promise_reason(supply, root=root, expected=expected, today=TODAY)


# --- dates, quantities, statuses --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2027, 3, 12), "12 March 2027"),
        (date(2026, 12, 3), "3 December 2026"),
        (date(2027, 1, 1), "1 January 2027"),
        (date(2028, 2, 29), "29 February 2028"),
    ],
)
def test_dates_are_written_day_month_name_year(day: date, words: str) -> None:
    assert long_date(day) == words


def test_every_month_has_its_english_name_whatever_the_locale() -> None:
    names = [long_date(date(2027, month, 1)).split()[1] for month in range(1, 13)]

    assert names == [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]


@pytest.mark.parametrize(
    ("quantity", "words"),
    [("3.000000", "3"), ("1.500000", "1.5"), ("10", "10"), ("0E-6", "0"), ("0.25", "0.25"), ("1E+2", "100")],
)
def test_quantities_are_written_without_trailing_zeros_or_exponents(quantity: str, words: str) -> None:
    assert quantity_words(Decimal(quantity)) == words


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("open", "In progress"),
        ("partially_shipped", "Partly shipped"),
        ("shipped", "Shipped"),
        ("cancelled", "Cancelled"),
        ("on_hold", "On hold"),
    ],
)
def test_order_statuses_are_written_for_people(status: str, words: str) -> None:
    assert status_words(status) == words


def test_reserved_stock_ships_next_unless_the_order_waits_to_be_whole() -> None:
    assert ready_words(ship_policy="partial", whole=False).endswith("ships with the next parcel")
    assert ready_words(ship_policy="complete", whole=True).endswith("ships with the next parcel")
    assert ready_words(ship_policy="complete", whole=False).endswith("ships when the whole order is ready")


# --- what a basis means -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "reason", "source"),
    [
        ("stock", "in stock", Source.STOCK),
        ("open term", "open term: KYBER has no predictable lead time and no open PO", Source.OPEN_TERM),
        ("planned PO", "planned PO arrives 2026-12-07", Source.PURCHASE),
        ("planned MO", "planned MO finishes 2026-12-08", Source.MAKING),
        ("PO-7", "PO-7 due 2026-12-07", Source.PURCHASE),
        ("MO-3", "MO-3 finishes 2026-12-08", Source.MAKING),
    ],
)
def test_a_basis_names_stock_a_purchase_a_making_or_open_term(
    basis: str, reason: str, source: Source
) -> None:
    assert source_of(basis, reason, purchase_refs={"PO-7"}, making_refs={"MO-3"}) is source


def test_a_ref_known_as_neither_po_nor_mo_is_told_apart_by_its_reason() -> None:
    assert source_of("BATCH-9", "BATCH-9 finishes 2026-12-08") is Source.MAKING
    assert source_of("BATCH-9", "open term: BATCH-9 waits for GLASS; GLASS has no ...") is Source.MAKING
    assert source_of("ORDER-9", "ORDER-9 due 2026-12-07") is Source.PURCHASE


# --- the component a date waits on ------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "component"),
    [
        (
            _reason(
                Supply(SupplyKind.PLANNED_MO, "", "SABER", READY),
                root=Supply(SupplyKind.PO, "PO-1", "KYBER GREEN", DUE),
            ),
            Component("KYBER GREEN", made=False),
        ),
        (
            _reason(
                Supply(SupplyKind.MO, "MO-4", "SABER", READY),
                root=Supply(SupplyKind.PLANNED_PO, "", "KYBER", DUE),
            ),
            Component("KYBER", made=False),
        ),
        (
            _reason(
                Supply(SupplyKind.PLANNED_MO, "", "SABER", READY),
                root=Supply(SupplyKind.MO, "MO-2", "HILT-KIT", DUE),
            ),
            Component("HILT-KIT", made=True),
        ),
        (
            _reason(
                Supply(SupplyKind.PLANNED_MO, "", "SABER", READY),
                root=Supply(SupplyKind.PLANNED_MO, "", "HILT-KIT", DUE),
            ),
            Component("HILT-KIT", made=True),
        ),
        (
            _reason(
                Supply(SupplyKind.PLANNED_MO, "", "SABER", None),
                root=Supply(SupplyKind.PLANNED_PO, "", "KYBER", None),
            ),
            Component("KYBER", made=False),
        ),
        (
            _reason(
                Supply(SupplyKind.MO, "MO-4", "SABER", None),
                root=Supply(SupplyKind.PO, "PO-2", "KYBER", None),
            ),
            Component("KYBER", made=False),
        ),
        (_reason(Supply(SupplyKind.PLANNED_PO, "", "KYBER", None)), Component("KYBER", made=False)),
        (_reason(Supply(SupplyKind.PO, "PO-2", "KYBER", None)), None),
        (_reason(Supply(SupplyKind.PO, "PO-2", "KYBER", DUE)), None),
        (_reason(Supply(SupplyKind.PLANNED_MO, "", "SABER", READY)), None),
        (_reason(Supply(SupplyKind.STOCK, "", "SABER", TODAY)), None),
        ("something else entirely", None),
    ],
)
def test_the_component_a_date_waits_on_is_read_from_the_planners_reason(
    reason: str, component: Component | None
) -> None:
    assert waited_on(reason) == component


# --- why a line waits, in plain words ---------------------------------------------------------


def test_a_line_without_a_promise_yet_has_its_date_to_be_confirmed() -> None:
    assert explain(Waiting(item_name="Kettle")) == "date to be confirmed"


def test_stock_ships_with_the_next_parcel() -> None:
    waiting = Waiting("Kettle", TODAY, "stock", "in stock", Source.STOCK)

    assert explain(waiting) == "in stock, ships with the next parcel"


def test_a_bought_item_waits_for_our_supplier_until_the_po_is_due() -> None:
    reason = _reason(Supply(SupplyKind.PO, "PO-1", "KYBER", date(2027, 3, 12)))
    waiting = Waiting("crystals", date(2027, 3, 12), "PO-1", reason, Source.PURCHASE)

    assert explain(waiting) == "waiting for crystals from our supplier, due 12 March 2027"


def test_an_overdue_po_is_said_to_be_delayed() -> None:
    reason = _reason(Supply(SupplyKind.PO, "PO-1", "KYBER", TODAY), expected=date(2026, 11, 1))
    waiting = Waiting("crystals", TODAY, "PO-1", reason, Source.PURCHASE)

    assert (
        explain(waiting) == "waiting for crystals from our supplier, delayed, now expected 23 November 2026"
    )


def test_a_planned_purchase_also_waits_for_our_supplier() -> None:
    reason = _reason(Supply(SupplyKind.PLANNED_PO, "", "KETTLE", DUE))
    waiting = Waiting("Kettle", DUE, "planned PO", reason, Source.PURCHASE)

    assert explain(waiting) == "waiting for Kettle from our supplier, due 7 December 2026"


def test_a_made_item_is_being_made_in_our_workshop() -> None:
    waiting = Waiting("Lamp", date(2026, 12, 3), "MO-7", "MO-7 finishes 2026-12-03", Source.MAKING)

    assert explain(waiting) == "being made in our workshop, ready 3 December 2026"


def test_a_made_item_held_up_by_a_bought_component_names_it_and_our_supplier() -> None:
    reason = _reason(
        Supply(SupplyKind.PLANNED_MO, "", "SABER", READY), root=Supply(SupplyKind.PO, "PO-1", "KYBER", DUE)
    )
    waiting = Waiting(
        "Green lightsaber", READY, "planned MO", reason, Source.MAKING, component="Green kyber crystal"
    )

    assert explain(waiting) == (
        "waiting for Green kyber crystal from our supplier, then made in our workshop, ready 8 December 2026"
    )


def test_a_made_item_waiting_for_a_made_part_is_simply_being_made() -> None:
    reason = _reason(
        Supply(SupplyKind.PLANNED_MO, "", "SABER", READY), root=Supply(SupplyKind.MO, "MO-2", "KIT", DUE)
    )
    waiting = Waiting(
        "Saber", READY, "planned MO", reason, Source.MAKING, component="Hilt kit", component_made=True
    )

    assert explain(waiting) == "being made in our workshop, ready 8 December 2026"


def test_open_term_says_date_to_be_confirmed_and_what_it_waits_for() -> None:
    reason = _reason(
        Supply(SupplyKind.PLANNED_MO, "", "SABER", None),
        root=Supply(SupplyKind.PLANNED_PO, "", "KYBER", None),
    )
    waiting = Waiting(
        "Green lightsaber", None, "planned MO", reason, Source.MAKING, component="Green kyber crystal"
    )

    assert explain(waiting) == "waiting for Green kyber crystal from our supplier, date to be confirmed"


def test_an_open_term_purchase_waits_for_the_item_itself() -> None:
    waiting = Waiting("Kettle", None, "open term", "open term: ...", Source.OPEN_TERM)

    assert explain(waiting) == "waiting for Kettle from our supplier, date to be confirmed"


def test_an_open_term_making_with_nothing_named_is_just_date_to_be_confirmed() -> None:
    waiting = Waiting("Lamp", None, "MO-3", "open term: something unforeseen", Source.MAKING)

    assert explain(waiting) == "date to be confirmed"


def test_a_preorder_names_its_release_date() -> None:
    release = date(2027, 3, 1)

    not_planned = Waiting("Winter saber", kind="preorder", release_date=release)
    on_release = Waiting(
        "Winter saber", release, "stock", "in stock", Source.STOCK, kind="preorder", release_date=release
    )
    open_term = Waiting(
        "Winter saber",
        None,
        "open term",
        "open term: ...",
        Source.OPEN_TERM,
        kind="preorder",
        release_date=release,
    )

    assert explain(not_planned) == "preorder, released on 1 March 2027"
    assert explain(on_release) == "preorder, released on 1 March 2027"
    assert explain(open_term) == (
        "preorder, released on 1 March 2027; waiting for Winter saber from our supplier, date to be confirmed"
    )


def test_a_preorder_whose_supply_comes_after_the_release_says_both() -> None:
    release = date(2027, 3, 1)
    waiting = Waiting(
        "Winter saber",
        date(2027, 3, 12),
        "MO-9",
        "MO-9 finishes 2027-03-12",
        Source.MAKING,
        kind="preorder",
        release_date=release,
    )

    assert explain(waiting) == (
        "preorder, released on 1 March 2027; being made in our workshop, ready 12 March 2027"
    )


def test_a_preorder_held_to_its_release_date_is_simply_released_then() -> None:
    release = date(2027, 3, 1)
    reason = "preorder: releases 2027-03-01"
    preorder = Waiting(
        "Winter saber", release, "release date", reason, Source.RELEASE, kind="preorder", release_date=release
    )
    released_stock_line = Waiting("Winter saber", release, "release date", reason, Source.RELEASE)

    assert source_of("release date", reason) is Source.RELEASE
    assert explain(preorder) == "preorder, released on 1 March 2027"
    assert explain(released_stock_line) == "released on 1 March 2027"


def test_an_overdue_drop_ship_po_is_said_to_be_delayed() -> None:
    reason = "ships from Crystal Broker: PO-5 overdue since 2026-11-01, counted as 2026-11-23"
    waiting = Waiting(
        "Crystal", TODAY, "PO-5", reason, Source.PURCHASE, kind="dropship", supplier="Crystal Broker"
    )

    assert explain(waiting) == "ships directly from Crystal Broker, delayed, now expected 23 November 2026"


def test_a_drop_shipped_line_ships_directly_from_the_supplier() -> None:
    dated = Waiting(
        "Crystal",
        DUE,
        "PO-5",
        "PO-5 due 2026-12-07",
        Source.PURCHASE,
        kind="dropship",
        supplier="Crystal Broker",
    )
    undated = Waiting(
        "Crystal", None, "PO-5", "open term: PO-5 has no expected date", Source.PURCHASE, kind="dropship"
    )

    assert explain(dated) == "ships directly from Crystal Broker, due 7 December 2026"
    assert explain(undated) == "ships directly from our supplier, date to be confirmed"


def test_a_line_of_a_ship_complete_order_names_the_line_it_ships_with_and_the_orders_date() -> None:
    reason = ships_with("SABER-GREEN", READY.toordinal(), f"PO-1 due {READY}")

    words = explain(
        Waiting("Blue lightsaber", READY, basis="PO-1", reason=reason, ships_with="Green lightsaber")
    )

    assert held_by(reason) == "SABER-GREEN"
    assert words == f"ships with the Green lightsaber when the whole order is ready, {long_date(READY)}"


def test_an_open_term_line_of_a_ship_complete_order_says_the_date_is_to_be_confirmed() -> None:
    reason = ships_with(
        "SABER-GREEN", NONE, "open term: KYBER-GREEN has no predictable lead time and no open PO"
    )

    words = explain(
        Waiting("Blue lightsaber", None, basis="open term", reason=reason, ships_with="Green lightsaber")
    )

    assert held_by(reason) == "SABER-GREEN"
    assert words == "ships with the Green lightsaber when the whole order is ready, date to be confirmed"
    assert held_by("PO-1 due 2026-12-07") is None


def test_held_stock_of_a_ship_complete_order_says_when_the_whole_order_ships() -> None:
    words = ready_words(ship_policy="complete", whole=False, ships_on=READY)

    assert words == f"reserved for you, ships when the whole order is ready, expected {long_date(READY)}"
    assert ready_words(ship_policy="complete", whole=True, ships_on=READY) == (
        "reserved for you, ships with the next parcel"
    )
