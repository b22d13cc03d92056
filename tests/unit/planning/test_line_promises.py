"""Some lines' promises kept as the plan's columns read as the `LinePromise`s built one by one,
and their parts' JSON text is the text `json.dumps` gives their parts, on random workshops."""

from __future__ import annotations

import json
from collections.abc import Sequence
from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from more_itertools import sliced

from pegboard.planning.engine import plan
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import LinePromises, Lines, by_line
from pegboard.planning.result import Promise
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.builders import lightsaber_workshop
from tests.unit.planning.test_reliable_matches_reference import with_history
from tests.unit.planning.workshops import workshops

#: Each column of `Lines` and the `LinePromise` field it holds.
COLUMNS = {
    "order_refs": "order_ref",
    "line_nos": "line_no",
    "skus": "sku",
    "line_ids": "line_id",
    "dates": "promised_date",
    "reasons": "reason",
    "bases": "basis",
}


def assert_read_as_built(promises: Sequence[Promise], picked: list[int]) -> None:
    lines = Lines(promises)
    built = lines.built(picked)
    kept = lines.promises(picked)

    assert isinstance(kept, LinePromises)
    assert len(kept) == len(picked)
    assert kept == built
    assert [kept[j] for j in range(len(picked))] == built
    texts = [json.dumps(p.parts, sort_keys=True) for p in built]
    assert kept.parts_texts() == texts
    by_part = lines.parts_by_part(picked)
    if by_part is not None:
        # Which distinct part each one-part line of the table has; -1 for any other line.
        assert by_part.texts() == texts
        for j, p in enumerate(by_part.part.tolist()):
            assert by_part.alone[p] == texts[j] if p >= 0 else j in by_part.several
    # A block at a time (as a store writes them), in any order: the same texts.
    blocks = [list(reversed(block)) for block in sliced(range(len(picked)), 3)]
    assert [t for block in blocks for t in kept.parts_texts(block)] == [texts[k] for b in blocks for k in b]
    for column, field in COLUMNS.items():
        assert kept.column(column) == [getattr(p, field) for p in built]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.randoms(use_true_random=False))
def test_kept_line_promises_read_as_the_built_ones_with_their_parts_as_sorted_json(
    snapshot: PlanInput, random: Random
) -> None:
    """Every line's promise, and a random pick of lines in any order, read the same from the
    columns as built one by one, whether the engine gave its promises as a table or as tuples."""
    result = plan(snapshot)
    count = len(Lines(result.promises))
    # Half the lines take the whole table's texts; one line of eight or more, only its rows'.
    picks = [
        list(range(count)),
        random.sample(range(count), k=count // 2),
        random.sample(range(count), k=count // 8),
    ]
    for promises in (result.promises, list(result.promises)):
        for picked in picks:
            assert_read_as_built(promises, picked)
    assert by_line(result.promises) == by_line(list(result.promises))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_history())
def test_parts_moved_by_suppliers_history_keep_their_stated_date_in_the_json(snapshot: PlanInput) -> None:
    """With reliability-adjusted dates, each part's JSON still carries its stated date."""
    result = plan(snapshot)
    count = len(Lines(result.promises))
    assert_read_as_built(result.promises, list(range(count)))
    assert_read_as_built(list(result.promises), list(range(count)))


def test_promises_given_beside_the_table_are_read_after_its_lines() -> None:
    """A table's extra promises (tuples) become lines after the table's own."""
    table = plan(lightsaber_workshop()).promises
    assert isinstance(table, PromiseTable)
    table.extra.append(table[0]._replace(order_ref="SO-EXTRA", line_no=1))
    lines = Lines(table)
    count = len(lines)
    assert lines.order_refs[-1] == "SO-EXTRA"
    assert_read_as_built(table, list(range(count)))
    assert_read_as_built(table, list(reversed(range(count))))
