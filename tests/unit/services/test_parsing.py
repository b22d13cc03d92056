"""Parsing accepts exactly what its messages say, and names the field when it refuses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pegboard.domain import limits
from pegboard.domain.errors import InvalidValue
from pegboard.services import parsing


def refusal(parse: object, *args: object, **kw: object) -> str:
    with pytest.raises(InvalidValue) as error:
        parse(*args, **kw)  # type: ignore[operator]
    return error.value.message


@pytest.mark.parametrize("text", ["1_000", "\uff11\uff12", "\u0661", "1e3", ".5", "5.", "1 000", "0x10", "+"])
def test_a_quantity_is_plain_ascii_digits_with_an_optional_decimal_point(text: str) -> None:
    assert "is not a number (digits with an optional decimal point" in refusal(
        parsing.quantity, "quantity", text
    )


@pytest.mark.parametrize(
    ("text", "value"), [("12", Decimal(12)), (" 0.25 ", Decimal("0.25")), ("007", Decimal(7))]
)
def test_plain_decimal_quantities_are_taken_exactly(text: str, value: Decimal) -> None:
    assert parsing.quantity("quantity", text) == value


def test_money_and_whole_numbers_follow_the_same_digits_rule() -> None:
    assert "not a number" in refusal(parsing.money, "price", "1_000")
    assert "not a whole number" in refusal(parsing.whole_number, "lead_time_days", "\uff13")
    assert parsing.money("price", Decimal("1E+3")) == 1000
    assert parsing.whole_number("priority", "-5", minimum=-10) == -5


@pytest.mark.parametrize("text", ["20260101", "2026-1-1", "2026-W01-1", "2026-001", "２０２６-01-01"])
def test_a_date_is_only_yyyy_mm_dd(text: str) -> None:
    assert "is not a date (YYYY-MM-DD)" in refusal(parsing.a_date, "expected_date", text)


@pytest.mark.parametrize("text", ["1999-12-31", "3000-01-01", "9999-12-31"])
def test_a_date_outside_the_sane_range_names_the_range(text: str) -> None:
    message = refusal(parsing.a_date, "expected_date", text, row=3)

    assert (
        message == f"row 3, field 'expected_date', value '{text}': must be between 2000-01-01 and 2999-12-31"
    )


def test_the_range_ends_are_accepted() -> None:
    assert parsing.a_date("d", "2000-01-01") == limits.EARLIEST_DATE
    assert parsing.a_date("d", "2999-12-31") == limits.LATEST_DATE


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-20", datetime(2026, 11, 20)),
        ("2026-11-20T09:30", datetime(2026, 11, 20, 9, 30)),
        ("2026-11-20 09:30:15", datetime(2026, 11, 20, 9, 30, 15)),
    ],
)
def test_an_order_time_is_a_date_or_a_date_time_without_an_offset(text: str, moment: datetime) -> None:
    assert parsing.a_datetime("ordered_at", text) == moment


@pytest.mark.parametrize(
    "text",
    ["2026-11-20T09:30Z", "2026-11-20T09:30+02:00", "20261120", "2026-11-20T9:30", "2026-11-20T09:30:15.5"],
)
def test_an_order_time_with_an_offset_or_another_shape_is_refused_saying_what_is_accepted(text: str) -> None:
    message = refusal(parsing.a_datetime, "ordered_at", text)

    assert "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (T or a space), without a time zone" in message


def test_an_order_time_in_the_year_9999_is_out_of_range() -> None:
    assert "must be between" in refusal(parsing.a_datetime, "ordered_at", "9999-12-31T23:59")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\ud800"])
def test_a_control_character_in_one_line_text_is_refused_naming_it(char: str) -> None:
    message = refusal(parsing.text, "customer", f"Ada{char}Lovelace", row=2)

    assert message.startswith("row 2, field 'customer', value ")
    assert f"control character U+{ord(char):04X}" in message


def test_free_text_may_hold_tabs_and_line_breaks_but_no_other_control_character() -> None:
    assert parsing.text("ship_to", "1 High St\r\nLeeds\tUK", multiline=True) == "1 High St\r\nLeeds\tUK"
    assert "U+0000" in refusal(parsing.text, "ship_to", "1 High St\x00", multiline=True)


def test_text_longer_than_its_limit_names_field_and_limit() -> None:
    assert parsing.text("unit", "u" * limits.UNIT, max_length=limits.UNIT) == "u" * limits.UNIT
    message = refusal(parsing.optional_text, "unit", "u" * (limits.UNIT + 1), max_length=limits.UNIT)

    assert "field 'unit'" in message and "is longer than 20 characters" in message


@pytest.mark.parametrize("text", ["ada@example.com", "a.b+shop@mail.example.co.uk"])
def test_an_email_address_is_taken(text: str) -> None:
    assert parsing.email("email", f" {text} ") == text
    assert parsing.email("email", "") is None


@pytest.mark.parametrize(
    "text", ["ada", "ada@", "@example.com", "ada@example", "ada @example.com", "a@b@c.com", "a@b..c"]
)
def test_a_string_that_is_not_an_email_address_is_refused(text: str) -> None:
    assert "is not an email address" in refusal(parsing.email, "email", text, row=4)


def test_an_email_longer_than_its_column_is_refused() -> None:
    address = "a" * limits.EMAIL + "@example.com"

    assert f"is longer than {limits.EMAIL} characters" in refusal(parsing.email, "email", address)


def test_a_date_is_still_a_date() -> None:
    assert parsing.a_date("d", " 2026-11-23 ") == date(2026, 11, 23)
