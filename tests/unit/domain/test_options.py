"""Options and configurations: the BOM a choice makes, defaults, required options, bad choices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pegboard.domain.errors import InvalidValue
from pegboard.domain.items import BomLine
from pegboard.domain.options import ItemOptions, OptionRow, check_rows, choices_text, parse_choices
from pegboard.domain.quantities import Quantity

BASE = [BomLine("HILT", Quantity(Decimal(1))), BomLine("EMITTER", Quantity(Decimal(1)))]
SABER = ItemOptions(
    "SABER",
    (
        OptionRow("HILT", "standard"),
        OptionRow("HILT", "engraved", "HILT-ENGRAVED", Quantity(Decimal(1)), "HILT"),
        OptionRow("HILT", "engraved", "ENGRAVING", Quantity(Decimal("0.5"))),
        OptionRow("COLOUR", "green", "KYBER-GREEN", Quantity(Decimal(1))),
        OptionRow("COLOUR", "blue", "KYBER-BLUE", Quantity(Decimal(1))),
        OptionRow("EMITTER", "none", replaces_sku="EMITTER"),
        OptionRow("EMITTER", "plain"),
    ),
)


def bom(configuration: str) -> dict[str, Decimal]:
    return {line.component_sku: line.quantity_per for line in SABER.bom(BASE, configuration)}


def test_a_value_adds_replaces_or_removes_components() -> None:
    assert bom("COLOUR=green;HILT=engraved") == {
        "HILT-ENGRAVED": 1,
        "EMITTER": 1,
        "ENGRAVING": Decimal("0.5"),
        "KYBER-GREEN": 1,
    }
    assert bom("COLOUR=blue;EMITTER=none") == {"HILT": 1, "KYBER-BLUE": 1}


def test_defaults_are_left_out_of_the_configuration_and_a_required_option_must_be_chosen() -> None:
    assert SABER.configuration({"COLOUR": "green", "HILT": "standard"}) == "COLOUR=green"
    assert SABER.default("HILT") == "standard" and SABER.default("COLOUR") is None

    with pytest.raises(InvalidValue, match="needs a choice of option 'COLOUR'"):
        SABER.configuration({"HILT": "engraved"})


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"COLOUR": "red"}, "has no value 'red'"),
        ({"BLADE": "long", "COLOUR": "blue"}, "has no option 'BLADE'"),
    ],
)
def test_an_unknown_option_or_value_is_refused_by_name(choices: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        SABER.configuration(choices, field="SO-1 line 2 options")


def test_choices_read_and_write_one_canonical_text() -> None:
    assert parse_choices(" HILT = engraved ;COLOUR=green;") == {"HILT": "engraved", "COLOUR": "green"}
    assert choices_text({"HILT": "engraved", "COLOUR": "green"}) == "COLOUR=green;HILT=engraved"
    with pytest.raises(InvalidValue, match="chosen twice"):
        parse_choices("HILT=a;HILT=b")
    with pytest.raises(InvalidValue, match="OPTION=value"):
        parse_choices("HILT")


def test_an_option_with_two_values_that_change_nothing_is_refused() -> None:
    with pytest.raises(InvalidValue, match="two values that change nothing"):
        check_rows("SABER", [OptionRow("HILT", "standard"), OptionRow("HILT", "plain")])
