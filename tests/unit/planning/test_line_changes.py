"""Comparing two plans' line promises as arrays finds the lines a dict of tuples finds."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.domain.events import PromiseChanged
from pegboard.planning.arrays import NONE
from pegboard.planning.line_changes import (
    StoredLines,
    differ,
    maybe_moved,
    moved_dates,
    promises_of,
    stored_moved,
)
from pegboard.planning.promise_digest import promises_digest
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import Lines, StoredPromise
from pegboard.planning.result import Promise

TODAY = date(2026, 12, 1).toordinal()
REASONS = ["in stock", "PO-1 due", "open term", "MO-7 finishes"]


#: A table's wordings: a reason may come with two bases (two wording codes, one reason).
WORDINGS = [*REASONS, REASONS[0]]


@st.composite
def tables(draw: st.DrawFn) -> PromiseTable:
    """A plan's promises: table rows (some without an id, ids may repeat), then tuple extras."""
    n_lines = draw(st.integers(0, 12))
    ids = draw(st.lists(st.one_of(st.none(), st.integers(1, 15)), min_size=n_lines, max_size=n_lines))
    parts = draw(st.lists(st.integers(1, 3), min_size=n_lines, max_size=n_lines))
    line = np.repeat(np.arange(n_lines, dtype=np.int64), parts)
    days = draw(
        st.lists(st.sampled_from([TODAY, TODAY + 1, TODAY + 5, NONE]), min_size=len(line), max_size=len(line))
    )
    wording = draw(st.lists(st.integers(0, len(WORDINGS) - 1), min_size=len(line), max_size=len(line)))
    extra = [
        Promise(f"X-{k}", 1, "BLUE-KETTLE", Decimal(1), day, reason, "", day)
        for k, (day, reason) in enumerate(
            draw(
                st.lists(
                    st.tuples(st.sampled_from([None, date(2026, 12, 3)]), st.sampled_from(REASONS)),
                    max_size=3,
                )
            )
        )
    ]
    return PromiseTable(
        refs=[f"SO-{k}" for k in range(n_lines)],
        line_nos=[1] * n_lines,
        skus=["BLUE-KETTLE"] * n_lines,
        line_ids=ids,
        line=line,
        quantity=np.full(len(line), 1_000_000, dtype=np.int64),
        day=np.array(days, dtype=np.int64),
        wording=np.array(wording, dtype=np.int64),
        reasons=WORDINGS,
        bases=[""] * len(REASONS) + ["PO"],
        extra=extra,
    )


def plans() -> st.SearchStrategy[Lines]:
    """A plan's line promises (`tables`)."""
    return tables().map(Lines)


def by_id(lines: Lines) -> dict[int, tuple[date | None, str]]:
    return {
        i: (d, r) for i, d, r in zip(lines.line_ids, lines.dates, lines.reasons, strict=True) if i is not None
    }


@settings(max_examples=300, deadline=None)
@given(plans(), tables(), st.sets(st.integers(1, 15), max_size=4))
def test_the_lines_that_may_have_moved_are_those_a_dict_of_the_stored_plan_finds(
    lines: Lines, base: PromiseTable, marked: set[int]
) -> None:
    """A line may have moved when it has no id, is marked, or the stored plan gave it another
    promise (the stored plan's promises compared from their columns, or as lines with extras)."""
    kept = by_id(Lines(base))
    expected = [
        k
        for k, (i, d, r) in enumerate(zip(lines.line_ids, lines.dates, lines.reasons, strict=True))
        if i is None or i in marked or kept.get(i) != (d, r)
    ]

    assert maybe_moved(lines, base, marked) == expected


@settings(max_examples=200, deadline=None)
@given(plans(), st.sets(st.integers(1, 15), max_size=4))
def test_the_promises_of_some_lines_are_their_date_and_reason_by_id(lines: Lines, wanted: set[int]) -> None:
    """The last line of an id speaks for it; ids the plan does not hold are left out."""
    assert promises_of(lines, wanted) == {i: p for i, p in by_id(lines).items() if i in wanted}


@st.composite
def stored_promises(draw: st.DrawFn) -> dict[int, StoredPromise]:
    """A store's promises by line id: open term or dated, with their reasons, bases and first dates."""
    days = st.sampled_from([None, date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 6)])
    promise = st.builds(StoredPromise, days, st.sampled_from(REASONS), st.sampled_from(["", "PO"]), days)
    return draw(st.dictionaries(st.integers(1, 15), promise, max_size=12))


@settings(max_examples=300, deadline=None)
@given(plans(), stored_promises())
def test_the_lines_whose_stored_promise_differs_are_those_a_dict_of_stored_promises_finds(
    lines: Lines, stored: dict[int, StoredPromise]
) -> None:
    """A line has moved when it has no stored promise (or no id) or another date or reason; each
    comes with its stored promise, which a line without an id is not given."""
    expected = [
        (k, stored.get(i) if i is not None else None)
        for k, (i, d, r) in enumerate(zip(lines.line_ids, lines.dates, lines.reasons, strict=True))
        if i is None or i not in stored or (stored[i].promised_date, stored[i].reason) != (d, r)
    ]

    moved, before = stored_moved(StoredLines.of(stored), lines.line_ids, lines.dates, lines.reasons)

    assert list(zip(moved, before, strict=True)) == expected
    assert before.known() == [s is not None for _, s in expected]
    assert before.promised_dates() == [None if s is None else s.promised_date for _, s in expected]
    assert [before[n] for n in range(len(before))] == [s for _, s in expected]


@settings(max_examples=300, deadline=None)
@given(plans(), stored_promises(), st.booleans())
def test_the_moved_dates_kept_as_columns_are_the_promise_changes_built_one_line_at_a_time(
    lines: Lines, stored: dict[int, StoredPromise], as_list: bool
) -> None:
    """Each line whose stored promise has another date is one PromiseChanged, in the plan's
    order, from the stored promises as columns or as a list; a first promise is none."""
    moved, before = stored_moved(StoredLines.of(stored), lines.line_ids, lines.dates, lines.reasons)
    changed = lines.promises(moved)
    stored_before = list(before) if as_list else before
    expected = [
        PromiseChanged(p.order_ref, p.line_no, p.sku, s.promised_date, p.promised_date, p.reason)
        for p, s in zip(changed, stored_before, strict=True)
        if s is not None and s.promised_date != p.promised_date
    ]

    events = moved_dates(changed, stored_before)

    assert list(events) == expected
    assert len(events) == len(expected)
    assert [events[n] for n in range(-len(events), len(events))] == expected + expected
    assert events[1:] == expected[1:]


@settings(max_examples=200, deadline=None)
@given(plans())
def test_a_plans_day_numbers_and_reason_codes_are_those_of_its_dates_and_reasons(lines: Lines) -> None:
    """A table's lines are keyed from its arrays, the extras from their dates and reasons: alike."""
    codes: dict[Hashable, int] = {}
    reasons = lines.reason_codes(codes).tolist()
    named = {code: reason for reason, code in codes.items()}

    assert lines.day_numbers().tolist() == [NONE if d is None else d.toordinal() for d in lines.dates]
    assert [named[code] for code in reasons] == lines.reasons


@settings(max_examples=300, deadline=None)
@given(plan=tables(), kept=tables())
def test_plans_found_to_differ_at_a_line_have_other_digests(plan: PromiseTable, kept: PromiseTable) -> None:
    """What lets a re-plan store its promises without waiting for its digest: any plan found to
    differ from the kept one has another digest, and no plan differs from itself."""
    lines = Lines(plan)
    if differ(lines, kept):
        assert promises_digest(lines) != promises_digest(Lines(kept))
    assert not differ(lines, plan)
    assert not differ(Lines(kept), kept)


def test_a_plan_with_another_day_or_reason_for_a_line_or_more_lines_differs() -> None:
    def table(days: list[int], wording: list[int]) -> PromiseTable:
        n = len(days)
        return PromiseTable(
            refs=[f"SO-{k}" for k in range(n)],
            line_nos=[1] * n,
            skus=["BLUE-KETTLE"] * n,
            line_ids=list(range(1, n + 1)),
            line=np.arange(n, dtype=np.int64),
            quantity=np.full(n, 1_000_000, dtype=np.int64),
            day=np.array(days, dtype=np.int64),
            wording=np.array(wording, dtype=np.int64),
            reasons=WORDINGS,
            bases=[""] * len(REASONS) + ["PO"],
        )

    kept = table([TODAY, NONE], [0, 2])
    assert not differ(Lines(table([TODAY, NONE], [0, 2])), kept)
    # Wording 4 reads as wording 0 does ("in stock"), with another basis: the same reason.
    assert not differ(Lines(table([TODAY, NONE], [4, 2])), kept)
    assert differ(Lines(table([TODAY + 1, NONE], [0, 2])), kept)
    assert differ(Lines(table([TODAY, NONE], [1, 2])), kept)
    assert differ(Lines(table([TODAY, NONE, TODAY], [0, 2, 0])), kept)
