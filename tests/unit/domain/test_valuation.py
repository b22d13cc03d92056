"""Stock value by moving average and by FIFO, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pegboard.domain.valuation import CostMethod, ValuedMove, replay

DAY = date(2026, 12, 1)


def moves(*steps: tuple[str, str]) -> list[ValuedMove]:
    """(quantity, value) steps of one item, KETTLE; an issue's value is left for the replay."""
    return [ValuedMove("KETTLE", Decimal(q), Decimal(v), DAY) for q, v in steps]


def test_moving_average_issues_at_the_average_of_what_is_held() -> None:
    held = replay(moves(("2", "20"), ("2", "30"), ("-1", "0")), CostMethod.AVERAGE)["KETTLE"]

    assert (held.quantity, held.value) == (Decimal(3), Decimal("37.50"))


def test_fifo_issues_take_the_oldest_receipts_first() -> None:
    held = replay(moves(("2", "20"), ("2", "30"), ("-3", "0")), CostMethod.FIFO)["KETTLE"]

    assert (held.quantity, held.value) == (Decimal(1), Decimal(15))


def test_a_receipt_used_up_in_thirds_gives_up_exactly_its_value() -> None:
    steps = (("3", "10"), ("-1", "0"), ("-1", "0"))
    for method in CostMethod:
        held = replay(moves(*steps), method)["KETTLE"]
        assert (held.quantity, held.value) == (Decimal(1), Decimal("3.33")), method


def test_the_last_unit_out_takes_all_the_value_left_so_nothing_worth_something_is_empty() -> None:
    steps = (("3", "10"), ("-1", "0"), ("-1", "0"), ("-1", "0"))
    for method in CostMethod:
        held = replay(moves(*steps), method)["KETTLE"]
        assert (held.quantity, held.value) == (Decimal(0), Decimal(0)), method
