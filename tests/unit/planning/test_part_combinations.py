"""The distinct parts of a promise table, numbered from its integer columns without sorting the
rows: two rows share a number exactly when every column holds the same value in both."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.planning.arrays import NONE
from pegboard.planning.promises import _combinations, _distinct


def assert_numbered_as_tuples(columns: list[np.ndarray]) -> None:
    count, inverse = _combinations(columns)
    rows = list(zip(*(column.tolist() for column in columns), strict=True))
    assert count == len(set(rows))
    assert sorted(set(inverse.tolist())) == list(range(count))
    first: dict[tuple[int, ...], int] = {}
    for row, number in zip(rows, inverse.tolist(), strict=True):
        assert first.setdefault(row, number) == number


def column(rng: np.random.Generator, n: int, kind: str, distinct: int) -> np.ndarray:
    picks = rng.integers(0, distinct, n)
    if kind == "small":
        return picks.astype(np.int64)
    if kind == "micro":  # micro-units of half units: spread wide, all a step apart
        return (picks * 500_000 + 500_000).astype(np.int64)
    if kind == "days":  # day numbers with open terms
        return np.where(picks == 0, NONE, 739_951 + picks).astype(np.int64)
    return rng.integers(-(2**62), 2**62, distinct)[picks].astype(np.int64)  # anywhere


@pytest.mark.parametrize(
    ("n", "shape"),
    [
        (1, [("small", 1)]),
        (2_000, [("small", 3), ("micro", 10), ("days", 52), ("days", 52)]),
        (2_000, [("wide", 200), ("wide", 200)]),  # numbered by a bitmap
        (5_000, [("wide", 5_000), ("wide", 5_000)]),  # beyond the bitmap: sorted
        (3_000, [("small", 2_000), ("micro", 9), ("days", 40), ("wide", 30)]),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_share_a_number_exactly_when_their_columns_hold_the_same_values(
    n: int, shape: list[tuple[str, int]], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    assert_numbered_as_tuples([column(rng, n, kind, distinct) for kind, distinct in shape])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0, 1, 7, 500_000, 4_500_000, NONE, -(2**62), 2**62]), min_size=1),
        min_size=1,
        max_size=4,
    ).filter(lambda columns: len({len(c) for c in columns}) == 1)
)
def test_any_columns_are_numbered_as_their_rows_tuples(columns: list[list[int]]) -> None:
    assert_numbered_as_tuples([np.asarray(c, dtype=np.int64) for c in columns])


@given(st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=50), st.integers(1, 10**6))
def test_values_a_step_apart_are_numbered_as_numpy_unique_numbers_them(values: list[int], step: int) -> None:
    spread = np.asarray(values, dtype=np.int64) * step
    found, index = _distinct(spread)
    expected, inverse = np.unique(spread, return_inverse=True)
    assert found.tolist() == expected.tolist()
    assert index.tolist() == inverse.reshape(-1).tolist()
