"""The stored plan's rows hold the JSON `json.dumps` writes, though it is written by hand."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegboard.adapters.db.stored_plan_rows import json_texts, materials_json
from pegboard.planning.result import MissingMaterial

_SKUS = st.one_of(
    st.text(), st.sampled_from(["KYBER-RED", "HILT [COLOUR=green]", 'say "x"', "a\\b", "é", "\x7f", ""])
)
_QUANTITIES = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("0.000001"), Decimal("1E+3"), Decimal("-0")]),
)
_MATERIALS = st.builds(MissingMaterial, _SKUS, _QUANTITIES, st.one_of(st.none(), st.dates()))


@given(st.lists(st.lists(_MATERIALS, max_size=4)))
def test_a_queue_entrys_missing_materials_are_written_as_json_dumps_writes_them(
    lists: list[list[MissingMaterial]],
) -> None:
    """Each SKU, quantity text and day as `json.dumps` writes a list of such dicts."""
    expected = [
        json.dumps(
            [
                {
                    "sku": m.sku,
                    "quantity": str(m.quantity),
                    "available_date": None if m.available_date is None else m.available_date.isoformat(),
                }
                for m in materials
            ]
        )
        for materials in lists
    ]

    assert materials_json(lists) == expected
    assert materials_json([tuple(materials) for materials in lists]) == expected


def test_plain_completed_orders_are_joined_without_json_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refs with nothing to escape are joined as they are (a first plan writes 62k entries at a
    large shop), in `json.dumps`'s form."""
    refs = ["SO-0298086", "SO-0352266", "SO-1"]
    expected = json.dumps(refs)
    monkeypatch.setattr(json, "dumps", _refused)

    assert json_texts(refs) == expected == '["SO-0298086", "SO-0352266", "SO-1"]'
    assert json_texts(()) == "[]"


def _refused(value: object) -> str:
    raise AssertionError(f"json.dumps({value!r}) called")
