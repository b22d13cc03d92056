"""The array helpers of the production queue give what their plain definitions give."""

from __future__ import annotations

import numpy as np

from pegboard.planning.queue import _by_entry, _per_key


def test_per_key_matches_a_scatter_of_every_value() -> None:
    rng = np.random.default_rng(7)
    for runs_repeat in (False, True):
        keys = np.repeat(rng.permutation(50), rng.integers(1, 4, 50))
        if runs_repeat:
            keys = np.r_[keys, keys[:20]]
        values = rng.integers(-100, 100, len(keys))
        for pick, fill in ((np.maximum, -(1 << 62)), (np.minimum, 1 << 62)):
            expected = np.full(60, fill, dtype=np.int64)
            pick.at(expected, keys, values)
            assert np.array_equal(_per_key(60, keys, values, fill, pick), expected)


def test_per_key_of_nothing_is_the_fill() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert _per_key(3, empty, empty, 9, np.maximum).tolist() == [9, 9, 9]


def test_by_entry_sorts_by_entry_then_the_second_key_stably() -> None:
    rng = np.random.default_rng(3)
    entry = rng.integers(0, 70_000, 5_000)
    then = np.sort(rng.integers(0, 30, 5_000))
    then[:100] = rng.integers(0, 30, 100)
    assert np.array_equal(_by_entry(entry, then), np.lexsort((then, entry)))
