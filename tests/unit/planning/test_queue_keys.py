"""A kept queue keyed from its columns tells apart exactly the entries its made entries tell apart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import MonkeyPatch

from pegboard.planning import kept_plan
from pegboard.planning.kept_plan import pack, unpack
from pegboard.planning.queue_keys import entry_key, queue_keys
from pegboard.planning.result import MissingMaterial, PlanResult, QueueEntry

#: Equal quantities that read differently (a stored row holds a missing quantity's text).
QUANTITIES = [Decimal("1"), Decimal("1.0"), Decimal("2"), Decimal("0.5"), Decimal("-0"), Decimal("1E+1")]
DAYS = [None, date(2026, 12, 1), date(2026, 12, 2), date(1969, 7, 20)]
TEXTS = ["A", "B", "é", 'qu"ote', ""]

materials = st.builds(
    MissingMaterial, st.sampled_from(TEXTS), st.sampled_from(QUANTITIES), st.sampled_from(DAYS)
)
entries = st.builds(
    QueueEntry,
    st.sampled_from(["MO-1", "MO-2", "PLANNED-3"]),
    st.sampled_from(["KETTLE", "KETTLE/blue"]),
    st.sampled_from(QUANTITIES),
    st.sampled_from(DAYS),
    st.sampled_from(DAYS),
    st.lists(st.sampled_from(TEXTS), max_size=3).map(tuple),
    st.lists(materials, max_size=3).map(tuple),
)


def _kept(queue: Sequence[QueueEntry]) -> Sequence[QueueEntry]:
    """The queue of a plan kept as bytes and read back, none of its entries made."""
    kept = unpack(pack(PlanResult((), (), (), list(queue))))
    assert kept is not None
    return kept.production_queue


def _object_value(e: QueueEntry) -> tuple[QueueEntry, tuple[str, ...]]:
    """How entries were compared before: the entry, and its missing quantities' texts."""
    return e, tuple([str(m.quantity) for m in e.missing])


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=12), st.lists(entries, max_size=12), st.integers(1, 4), st.integers(1, 5))
def test_the_kept_queues_columns_match_exactly_the_entries_its_made_entries_match(
    before: list[QueueEntry], added: list[QueueEntry], first: int, chunk: int
) -> None:
    # This plan's queue: some of the kept entries (some moved), and new ones among them.
    after = [*before[::2], *added, *before[1::2]]
    with MonkeyPatch.context() as patch:  # kept in parts of a few entries
        patch.setattr(kept_plan, "FIRST", first)
        patch.setattr(kept_plan, "CHUNK", chunk)
        made = list(_kept(before))
        from_columns = queue_keys(_kept(before))
    wanted = queue_keys(after)

    assert from_columns == list(map(entry_key, made))
    for kept_key, kept_entry in zip(from_columns, made, strict=True):
        for key, entry in zip(wanted, after, strict=True):
            assert (kept_key == key) == (_object_value(kept_entry) == _object_value(entry))
            assert kept_key != key or hash(kept_key) == hash(key)


@given(entries, entries)
def test_two_entries_have_equal_keys_exactly_when_they_compared_equal(a: QueueEntry, b: QueueEntry) -> None:
    assert (entry_key(a) == entry_key(b)) == (_object_value(a) == _object_value(b))


def test_a_missing_quantity_written_otherwise_is_another_key() -> None:
    one = QueueEntry("MO-1", "KETTLE", Decimal(1), None, None, (), (MissingMaterial("A", Decimal(1), None),))
    other = one._replace(missing=(MissingMaterial("A", Decimal("1.0"), None),))

    assert one == other
    assert queue_keys(_kept([one])) != queue_keys([other])


def test_a_queue_read_whole_already_is_keyed_from_its_entries() -> None:
    queue = _kept([QueueEntry("MO-1", "KETTLE", Decimal(2), DAYS[1], DAYS[2], ("SO-1",), ())])
    list(queue)  # read whole

    assert queue_keys(queue) == [entry_key(queue[0])]
