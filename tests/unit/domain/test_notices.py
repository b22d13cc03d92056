"""When a waiting line's promise is worth a new-date message, and which addresses mail can go to."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from pegboard.domain.notices import LineState, is_refund, later_than_told, usable_address
from pegboard.domain.sales import LineKind

TOLD = date(2026, 12, 10)


def waiting_line(
    *,
    promised_date: date | None,
    told_date: date | None = TOLD,
    told_on: date | None = date(2026, 11, 23),
    promised: bool = True,
    allocated: str = "0",
) -> LineState:
    return LineState(
        line_no=1,
        sku="LAMP",
        name="Desk lamp",
        kind=LineKind.STOCK,
        quantity=Decimal(2),
        allocated=Decimal(allocated),
        shipped=Decimal(0),
        cancelled=Decimal(0),
        promised=promised,
        promised_date=promised_date,
        told_date=told_date,
        told_on=told_on,
    )


def test_a_promise_later_than_the_date_told_is_worth_a_message() -> None:
    assert later_than_told(waiting_line(promised_date=TOLD + timedelta(days=1)), confirmed=True)


def test_the_same_or_an_earlier_date_is_not() -> None:
    assert not later_than_told(waiting_line(promised_date=TOLD), confirmed=True)
    assert not later_than_told(waiting_line(promised_date=TOLD - timedelta(days=3)), confirmed=True)


def test_a_date_where_one_was_to_follow_is_worth_a_message_and_still_no_date_is_not() -> None:
    assert later_than_told(waiting_line(promised_date=TOLD, told_date=None), confirmed=True)
    assert not later_than_told(waiting_line(promised_date=None, told_date=None), confirmed=True)


def test_losing_the_date_told_is_worth_a_message() -> None:
    assert later_than_told(waiting_line(promised_date=None), confirmed=True)


def test_a_line_never_told_waits_for_the_confirmation_then_counts_as_date_to_follow() -> None:
    never_told = waiting_line(promised_date=TOLD, told_date=None, told_on=None)

    assert not later_than_told(never_told, confirmed=False)
    assert later_than_told(never_told, confirmed=True)


def test_a_line_no_longer_waiting_or_without_a_promise_needs_no_message() -> None:
    assert not later_than_told(
        waiting_line(promised_date=TOLD + timedelta(days=9), allocated="2"), confirmed=True
    )
    assert not later_than_told(waiting_line(promised_date=None, promised=False), confirmed=True)


@pytest.mark.parametrize(
    ("status", "refund"),
    [
        ("paid", True),
        ("partially_paid", True),
        ("PAID", True),
        ("pending", False),
        ("refunded", False),
        (None, False),
    ],
)
def test_only_a_paid_or_partly_paid_order_is_refunded(status: str | None, refund: bool) -> None:
    assert is_refund(status) is refund


@pytest.mark.parametrize(
    ("email", "usable"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  ada@example.com ", "ada@example.com"),
        ("ops@localhost", "ops@localhost"),
        (None, None),
        ("", None),
        ("not an address", None),
        ("ada@", None),
        ("@example.com", None),
        ("ada@example.com\r\nBcc: eve@example.com", None),
        ("ada@example.com, eve@example.com", None),
    ],
)
def test_mail_goes_only_to_one_plain_address(email: str | None, usable: str | None) -> None:
    assert usable_address(email) == usable
