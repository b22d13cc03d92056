"""`pegboard ... --json` prints exactly the text `json.dumps(indent=2, default=str)` gives."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pegboard.entrypoints.cli.indented_json import dumps

plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
)
keys = st.one_of(st.text(), st.integers(), st.none(), st.booleans())
values = st.recursive(
    plain,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.dictionaries(keys, inner, max_size=3),
    ),
    max_leaves=25,
)


@given(values)
def test_the_text_is_the_standard_encoders(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, default=str)


def test_a_plan_like_document_reads_back_as_its_data() -> None:
    plan = {
        "promises": [
            {"order_ref": "SO-1", "quantity": Decimal("2.5"), "date": date(2026, 12, 8), "options": {}},
            {"order_ref": "SO-2", "line": 2, "quantity": 3, "date": None, "reason": "open term: «no PO»"},
        ],
        "production_queue": [{"ref": "MO-1", "completes": ["SO-1"], "missing": []}],
        "adjusted_dates": [],
    }
    text = dumps(plan)
    assert text == json.dumps(plan, indent=2, default=str)
    assert json.loads(text)["promises"][0]["quantity"] == "2.5"
