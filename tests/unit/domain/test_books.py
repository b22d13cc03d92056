"""The books' rules: balanced entries, deposits until shipment, refunds due, standard cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pegboard.domain import books
from pegboard.domain.books import Account, EntryKind, JournalEntry, JournalLine, UnbalancedEntry
from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BillsOfMaterials, BomLine, Item, Procurement
from pegboard.domain.quantities import to_money, to_quantity

DAY = date(2026, 11, 23)


def signed(entry: JournalEntry | None) -> list[tuple[str, Decimal]]:
    assert entry is not None
    return [(line.account.value, line.debit - line.credit) for line in entry.lines]


def test_an_entry_whose_debits_and_credits_differ_is_refused() -> None:
    lines = (
        JournalLine(Account.CASH, debit=Decimal("10")),
        JournalLine(Account.DEPOSITS, credit=Decimal("9.99")),
    )

    with pytest.raises(UnbalancedEntry):
        JournalEntry(DAY, EntryKind.PAYMENT, lines)


def test_a_line_with_both_a_debit_and_a_credit_is_refused() -> None:
    lines = (
        JournalLine(Account.CASH, debit=Decimal("10"), credit=Decimal("10")),
        JournalLine(Account.DEPOSITS, credit=Decimal("0")),
    )

    with pytest.raises(UnbalancedEntry):
        JournalEntry(DAY, EntryKind.PAYMENT, lines)


def test_money_received_before_shipment_is_a_customer_deposit() -> None:
    entry = books.payment("SO-1", Decimal("4800"), receivable=Decimal(0), on=DAY)

    assert signed(entry) == [("1000", Decimal("4800")), ("2100", Decimal("-4800"))]


def test_a_payment_settles_what_the_order_owes_for_shipped_goods_first() -> None:
    entry = books.payment("SO-3", Decimal("1500"), receivable=Decimal("1200"), on=DAY)

    assert signed(entry) == [("1000", 1500), ("1100", -1200), ("2100", -300)]


def test_a_payment_of_zero_names_the_amount_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        books.payment("SO-1", Decimal(0), receivable=Decimal(0), on=DAY)

    assert refused.value.field == "amount"


def test_a_shipment_moves_its_value_from_the_deposit_to_revenue_and_books_its_cost() -> None:
    entry = books.shipment(
        "SO-1", "SO-1-S1", revenue=Decimal("3600"), cost=Decimal("1620"), deposit=Decimal("4800"), on=DAY
    )

    assert signed(entry) == [("2100", 3600), ("4000", -3600), ("5000", 1620), ("1200", -1620)]


def test_what_the_deposit_does_not_cover_at_shipment_is_owed_as_a_receivable() -> None:
    entry = books.shipment(
        "SO-3", "SO-3-S1", revenue=Decimal("1200"), cost=Decimal(0), deposit=Decimal("500"), on=DAY
    )

    assert signed(entry) == [("2100", 500), ("1100", 700), ("4000", -1200)]


def test_cancelling_leaves_only_the_deposit_above_what_is_still_to_ship_as_a_refund_due() -> None:
    entry = books.cancellation("SO-2", deposit=Decimal("2400"), still_owed=Decimal("1200"), on=DAY)

    assert signed(entry) == [("2100", 1200), ("2150", -1200)]
    assert books.cancellation("SO-2", deposit=Decimal("1000"), still_owed=Decimal("1200"), on=DAY) is None


def test_a_refund_clears_the_refund_due_then_the_deposit() -> None:
    entry = books.refund("SO-2", Decimal("1500"), refund_due=Decimal("1200"), deposit=Decimal("1200"), on=DAY)

    assert signed(entry) == [("2150", 1200), ("2100", 300), ("1000", -1500)]


def test_a_refund_above_what_was_paid_and_not_shipped_names_the_amount_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        books.refund("SO-2", Decimal("2400.01"), refund_due=Decimal("2400"), deposit=Decimal(0), on=DAY)

    assert refused.value.field == "amount"
    assert "2400" in refused.value.message


def test_a_make_item_without_a_cost_costs_its_components_through_every_level() -> None:
    items = {
        "SABER": Item("SABER", "Saber", Procurement.MAKE),
        "HILT": Item("HILT", "Hilt", Procurement.MAKE),
        "GRIP": Item("GRIP", "Grip", Procurement.BUY, cost=to_money("12.50")),
        "KYBER": Item("KYBER", "Kyber", Procurement.BUY, cost=to_money("400")),
    }
    boms = BillsOfMaterials(
        {
            "SABER": [BomLine("HILT", to_quantity(1)), BomLine("KYBER", to_quantity(1))],
            "HILT": [BomLine("GRIP", to_quantity(2))],
        }
    )

    assert books.standard_cost("SABER", items, boms) == Decimal("425")


def test_account_names_can_be_renamed_but_not_invented() -> None:
    assert books.account_names({"1000": "Bank"})["1000"] == "Bank"

    with pytest.raises(InvalidValue):
        books.account_names({"1001": "Petty cash"})


def test_amounts_round_half_up_to_the_cent() -> None:
    assert books.money(Decimal("0.125")) == Decimal("0.13")
    assert books.money(Decimal("3") * Decimal("0.3333")) == Decimal("1.00")


def test_less_due_for_what_shipped_clears_what_is_owed_first_then_goes_back_on_deposit() -> None:
    before = books.Earned(goods=Decimal(40), tax=Decimal(8))
    after = books.Earned(goods=Decimal(40), discount=Decimal(5), tax=Decimal(7))

    made = books.charges_change(
        "SO-1", before, after, deposits={}, receivable=Decimal(2), on=DAY, deposit_account=Account.DEPOSITS
    )

    assert made is not None and made.kind is EntryKind.CHARGES
    assert sorted(signed(made)) == [
        ("1100", Decimal(-2)),
        ("2100", Decimal(-4)),
        ("2200", Decimal(1)),
        ("4050", Decimal(5)),
    ]


def test_more_due_for_what_shipped_comes_out_of_the_deposits_and_the_rest_is_owed() -> None:
    before = books.Earned(goods=Decimal(40), shipping=Decimal(0))
    after = books.Earned(goods=Decimal(40), shipping=Decimal(5), shipping_tax=Decimal(1))

    made = books.charges_change(
        "SO-1", before, after, deposits={Account.DEPOSITS: Decimal(4)}, receivable=Decimal(0), on=DAY
    )

    assert sorted(signed(made)) == [
        ("1100", Decimal(2)),
        ("2100", Decimal(4)),
        ("2200", Decimal(-1)),
        ("4100", Decimal(-5)),
    ]


def test_the_same_charges_change_nothing() -> None:
    same = books.Earned(goods=Decimal(40), tax=Decimal(8))

    assert books.charges_change("SO-1", same, same, deposits={}, receivable=Decimal(0), on=DAY) is None
