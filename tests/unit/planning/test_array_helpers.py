"""The array helpers behind the engine's speed give what their plain definitions give."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegboard.domain.quantities import component_need as domain_need
from pegboard.domain.quantities import from_units, to_units
from pegboard.planning.arrays import NONE, RowGroups, by_value, numbered, to_micro
from pegboard.planning.lots import component_need
from pegboard.planning.snapshot import PlanInputError
from pegboard.planning.sorting import stable_order
from pegboard.planning.values import distinct

REFS = st.lists(st.sampled_from(["SO-1", "SO-2", "SO-10", "PO-7", "A", ""]), max_size=40)


@given(REFS)
def test_refs_are_numbered_in_sorted_order_wherever_their_lines_sit(refs: list[str]) -> None:
    order, order_refs = numbered(refs)

    assert order_refs == sorted(set(refs))
    assert [order_refs[k] for k in order.tolist()] == refs


def test_refs_already_in_order_keep_their_runs() -> None:
    order, order_refs = numbered(["SO-1", "SO-1", "SO-2", "SO-3", "SO-3"])

    assert order.tolist() == [0, 0, 1, 2, 2]
    assert order_refs == ["SO-1", "SO-2", "SO-3"]


def test_equal_values_are_converted_once_and_alike() -> None:
    calls: list[Decimal] = []

    def convert(value: Decimal) -> int:
        calls.append(value)
        return int(value * 10)

    result = by_value([Decimal("1.5"), Decimal("2"), Decimal("1.50"), Decimal("2")], convert)

    assert result.tolist() == [15, 20, 15, 20]
    assert calls == [Decimal("1.5"), Decimal("2")]


def test_a_quantity_with_too_many_decimal_places_is_refused() -> None:
    with pytest.raises(PlanInputError, match="safety stock 1.2345678 is negative or has more"):
        to_micro([Decimal("1"), Decimal("1.2345678")], "safety stock")


def test_rows_with_equal_keys_share_the_work_of_their_first_row() -> None:
    rows = [("KETTLE", 3), ("LID", 4), ("SPOUT", 3), ("HANDLE", 4), ("BASE", 5)]

    groups = RowGroups.of(rows, key=lambda row: row[1])

    assert [row[0] for row in groups.representatives] == ["KETTLE", "LID", "BASE"]
    assert groups.spread(lambda row: row[1], lambda n: n * n).tolist() == [9, 16, 9, 16, 25]


@given(
    st.lists(st.integers(-(2**62), 2**62), max_size=60),
    st.sampled_from([1, 2**8, 2**16, 2**17, 2**33, 2**47, 2**50, 2**63]),
)
def test_stable_order_is_a_stable_argsort_whatever_the_span_of_the_keys(keys: list[int], span: int) -> None:
    key = np.array([k % span - span // 2 for k in keys], dtype=np.int64)

    assert stable_order(key).tolist() == np.argsort(key, kind="stable").tolist()


@given(
    st.lists(
        st.tuples(st.integers(1, 10**15), st.integers(1, 10**9)),
        min_size=1,
        max_size=20,
    )
)
def test_the_planner_rounds_component_needs_by_the_domain_rule(pairs: list[tuple[int, int]]) -> None:
    quantity = np.array([q for q, _ in pairs], dtype=np.int64)
    per = np.array([p for _, p in pairs], dtype=np.int64)

    needs = component_need(quantity, per)

    expected = [to_units(domain_need(from_units(p), from_units(q))) for q, p in pairs]
    assert needs.tolist() == expected


CODES = st.lists(
    st.one_of(
        st.integers(-50, 50),
        st.sampled_from([NONE, 2**62, -(2**62), 10**9]),
    ),
    max_size=60,
)


@given(CODES)
def test_distinct_values_are_numpys_unique_whether_indexed_or_sorted(codes: list[int]) -> None:
    array = np.asarray(codes, dtype=np.int64)
    values, index = distinct(array)

    expected, inverse = np.unique(array, return_inverse=True)
    assert values.tolist() == expected.tolist()
    assert index.tolist() == inverse.reshape(-1).tolist()
    assert values.dtype == np.int64 and index.dtype == np.int64


def test_day_numbers_with_open_terms_are_indexed_without_sorting(monkeypatch: pytest.MonkeyPatch) -> None:
    days = np.asarray([739_000, NONE, 739_002, 739_000, NONE], dtype=np.int64)
    monkeypatch.setattr(np, "unique", None)  # any sort by np.unique would fail

    values, index = distinct(days)

    assert values.tolist() == [739_000, 739_002, NONE]
    assert index.tolist() == [0, 2, 1, 0, 2]
