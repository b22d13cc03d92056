"""`pegboard whatif --json` writes its answer byte for byte as `json.dumps(..., indent=2)` would."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pegboard.views.json import indented_json

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.dates(),
    st.decimals(allow_nan=False),
)
keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner), st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@given(values)
def test_any_json_value_is_indented_as_the_standard_library_indents_it(value: Any) -> None:
    """Dicts, lists and tuples at any depth, empty ones, texts beyond ASCII, numbers, dates and Decimals."""
    assert indented_json(value) == json.dumps(value, indent=2, default=str)


def test_a_late_order_reads_as_the_standard_library_writes_it() -> None:
    """A what-if answer's shape: nested lists of flat objects, nulls for open term."""
    answer = {
        "today": date(2026, 12, 1),
        "late_orders": [{"order_ref": "SO-2", "from": "2026-12-08", "to": None, "lines": [{"line_no": 1}]}],
        "open_term": [],
        "cost": Decimal("12.5"),
        "uncosted": ["KYBER-GREEN"],
    }

    assert indented_json(answer) == json.dumps(answer, indent=2, default=str)
