"""Ranks with room between them, so that a list stored in rank order is rewritten only where it
changed.

The stored production queue is a list in the order to make things. Numbered 1, 2, 3, ..., one
entry added near the top moves the rank of every entry after it, and each of those rows would be
written again. Ranks are instead `SPACING` apart, and a new list keeps the stored rank of every
entry it still holds in the same order as before (the longest such run, by value); only the
entries added or moved are written, each with a rank between its kept neighbours'. Readers go by
the order of ranks (`ORDER BY rank`, `OFFSET`), never by their values.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence

#: The room left between two ranks numbered afresh.
SPACING = 1 << 10
#: The highest rank a 32-bit rank column holds.
HIGHEST = (1 << 31) - 1


def fresh_ranks(count: int) -> list[int]:
    """Ranks for `count` entries numbered afresh, `SPACING` apart (closer when that would not fit)."""
    step = max(1, min(SPACING, HIGHEST // (count + 1)))
    return [step * k for k in range(1, count + 1)]


def kept_ranks(
    stored: Sequence[tuple[int, Hashable]], wanted: Sequence[Hashable]
) -> tuple[list[int], set[int]] | None:
    """Ranks for the `wanted` values, given the `stored` (rank, value) pairs in rank order, and the
    stored ranks kept as they are (every other stored row is to go): an entry keeps its stored
    rank when its value is among the longest run of wanted values in their stored order; any other
    gets a rank between its kept neighbours'. None when those leave no room: then number afresh.
    """
    where = {value: k for k, (_, value) in enumerate(stored)}
    at = [where.get(value, -1) for value in wanted]
    kept = _longest_increasing(at)
    ranks: list[int] = []
    k = 0
    while k < len(wanted):
        if k in kept:
            ranks.append(stored[at[k]][0])
            k += 1
            continue
        end = k
        while end < len(wanted) and end not in kept:
            end += 1
        low = ranks[-1] if ranks else 0
        count = end - k
        high = stored[at[end]][0] if end < len(wanted) else min(HIGHEST, low + SPACING * (count + 1))
        if high - low <= count:
            return None
        ranks += [low + (high - low) * n // (count + 1) for n in range(1, count + 1)]
        k = end
    return ranks, {stored[at[k]][0] for k in kept}


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """The positions of a longest strictly increasing run (not necessarily adjacent) of the
    values that are not negative."""
    tails: list[int] = []  # the smallest last value of a run of each length
    tail_at: list[int] = []  # its position
    before = [-1] * len(values)
    for k, value in enumerate(values):
        if value < 0:
            continue
        n = bisect_left(tails, value)
        if n == len(tails):
            tails.append(value)
            tail_at.append(k)
        else:
            tails[n], tail_at[n] = value, k
        before[k] = tail_at[n - 1] if n else -1
    found: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        found.add(k)
        k = before[k]
    return found
