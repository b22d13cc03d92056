"""Sparse ranks: a list stored in rank order keeps the ranks of what stays in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pegboard.adapters.db.sparse_ranks import SPACING, fresh_ranks, kept_ranks


def test_fresh_ranks_leave_room_between_entries() -> None:
    assert fresh_ranks(3) == [SPACING, 2 * SPACING, 3 * SPACING]


def test_an_entry_added_near_the_top_takes_a_rank_between_its_neighbours_and_moves_no_other() -> None:
    stored = list(zip(fresh_ranks(4), "abcd", strict=True))

    found = kept_ranks(stored, ["a", "x", "b", "c", "d"])

    assert found is not None
    ranks, kept = found
    assert ranks[0] == SPACING and ranks[2:] == [2 * SPACING, 3 * SPACING, 4 * SPACING]
    assert SPACING < ranks[1] < 2 * SPACING
    assert kept == {SPACING, 2 * SPACING, 3 * SPACING, 4 * SPACING}


def test_an_entry_moved_up_gets_a_new_rank_and_a_changed_one_is_replaced() -> None:
    stored = list(zip(fresh_ranks(4), "abcd", strict=True))

    found = kept_ranks(stored, ["c", "a", "b", "D"])

    assert found is not None
    ranks, kept = found
    assert kept == {SPACING, 2 * SPACING}  # a and b stay; c moved, d became D
    assert ranks == sorted(ranks) and len(set(ranks)) == 4


def test_no_room_between_ranks_asks_for_numbering_afresh() -> None:
    assert kept_ranks([(1, "a"), (2, "b")], ["a", "x", "b"]) is None


@given(
    st.lists(st.integers(0, 30), unique=True, max_size=20),
    st.lists(st.integers(0, 30), unique=True, max_size=20),
)
def test_ranks_follow_the_wanted_order_and_kept_ones_hold_the_same_value(
    before: list[int], after: list[int]
) -> None:
    stored = list(zip(fresh_ranks(len(before)), before, strict=True))

    found = kept_ranks(stored, after)

    assert found is not None
    ranks, kept = found
    assert len(ranks) == len(after) and all(a < b for a, b in zip(ranks, ranks[1:], strict=False))
    by_rank = dict(stored)
    for rank, value in zip(ranks, after, strict=True):
        assert rank not in kept or by_rank[rank] == value
