"""Stable orderings of int64 keys: the permutation that sorts rows, equal keys kept in their order."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]

#: Keys spanning this many values or more are left to NumPy's stable argsort.
RADIX_LIMIT = 1 << 48


def stable_order(key: Ints) -> Ints:
    """The permutation that sorts `key` in no particular order to begin with, stably.

    Keys are sorted 16 bits at a time, lowest bits first, each pass a stable sort of 16-bit
    integers (a radix sort in NumPy, linear time); keys spanning `RADIX_LIMIT` values or more
    take NumPy's stable argsort. Keys that come nearly sorted are better served by
    `nearly_sorted_order`.
    """
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(key.min())
    span = int(key.max()) - low
    if span >= RADIX_LIMIT:
        return nearly_sorted_order(key)
    offset = key - low
    order = np.argsort((offset & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while span >> shift:
        digit = ((offset[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order.astype(np.int64, copy=False)


def nearly_sorted_order(key: Ints) -> Ints:
    """The permutation that sorts `key` stably, by NumPy's stable argsort, which merges the
    sorted runs of keys that come nearly sorted in about linear time."""
    return np.argsort(key, kind="stable").astype(np.int64, copy=False)
