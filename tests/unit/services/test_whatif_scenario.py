"""A what-if scenario read from its text: each bad entry refused naming its field and its text."""

from __future__ import annotations

import pytest

from pegboard.domain.errors import InvalidValue
from pegboard.services import whatif


def test_a_scenario_reads_every_field_and_skips_blank_lines() -> None:
    scenario = whatif.parse_scenario(
        ["SABER-GREEN:+200%:2026-12-01..2026-12-24", ""], ["PO-12:+7"], ["SABER-BLUE:10"]
    )

    assert [d.sku for d in scenario.demand] == ["SABER-GREEN"]
    assert [(s.ref, s.days) for s in scenario.late] == [("PO-12", 7)]
    assert [(o.sku, str(o.quantity)) for o in scenario.orders] == [("SABER-BLUE", "10")]


def test_the_first_bad_entry_is_refused_naming_its_field_and_text() -> None:
    with pytest.raises(InvalidValue) as refused:
        whatif.parse_scenario(["SABER-GREEN:+200%"], ["PO-12:soon"])

    assert refused.value.field == "late"
    assert "PO-12:soon" in str(refused.value) and "'soon'" in str(refused.value)


def test_each_field_with_a_bad_entry_gives_its_own_first_error() -> None:
    errors = whatif.scenario_errors(["SABER-GREEN:+lots", "X:also bad"], ["PO-12:+7"], ["SABER-BLUE:-3"])

    assert [(e.field, e.value) for e in errors] == [
        ("demand", "SABER-GREEN:+lots"),
        ("order", "SABER-BLUE:-3"),
    ]


def test_a_scenario_whose_entries_all_read_has_no_errors() -> None:
    assert whatif.scenario_errors(["SABER-GREEN:+200%"], ["Crystal Broker:+3"], ["SABER-BLUE:2"]) == []


def test_an_empty_scenario_is_refused_though_no_field_has_a_bad_entry() -> None:
    assert whatif.scenario_errors([""], [], []) == []
    with pytest.raises(InvalidValue) as refused:
        whatif.parse_scenario([""], [], [])

    assert refused.value.field == "scenario"
