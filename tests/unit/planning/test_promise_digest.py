"""A plan's promise digest is the SHA-256 of its lines' promises as one JSON text, however the
text is made (a block at a time), on random workshops."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.planning import promise_digest
from pegboard.planning.arrays import NONE
from pegboard.planning.coded import CodedTexts, coding
from pegboard.planning.engine import plan
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import Lines
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.workshops import workshops


def digest_of_one_text(lines: Lines) -> str:
    days = [None if day is None else day.toordinal() for day in lines.dates]
    text = json.dumps(
        [lines.order_refs, lines.line_nos, days, lines.reasons], separators=(",", ":"), default=int
    )
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("block", [1, 2, 7, 20_000])
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(snapshot=workshops())
def test_the_digest_made_a_block_at_a_time_is_that_of_the_whole_text(
    snapshot: PlanInput, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of one entry, of a few, and more entries than the plan has: the same digest."""
    monkeypatch.setattr(promise_digest, "_BLOCK", block)
    lines = Lines(plan(snapshot).promises)
    assert promise_digest.promises_digest(lines) == digest_of_one_text(lines)


def test_a_plan_without_lines_has_the_digest_of_empty_lists() -> None:
    assert promise_digest.promises_digest(Lines([])) == digest_of_one_text(Lines([]))


#: Texts JSON escapes: quotes, backslashes, control characters, non-ASCII letters and emoji.
TEXTS = st.text(
    alphabet=st.sampled_from(["a", "Z", "-", '"', "\\", "\n", "\x01", "é", "ß", "\u2028", "🚀"]), max_size=6
)


@st.composite
def tables(draw: st.DrawFn) -> PromiseTable:
    """Promises of lines with one to three rows each: refs as a coded list or a plain one."""
    n_lines = draw(st.integers(0, 10))
    parts = draw(st.lists(st.integers(1, 3), min_size=n_lines, max_size=n_lines))
    line = np.repeat(np.arange(n_lines, dtype=np.int64), parts)
    texts = draw(st.lists(TEXTS, min_size=n_lines, max_size=n_lines))
    refs: list[str] = texts
    if draw(st.booleans()):
        distinct, codes = coding(texts)
        refs = CodedTexts(texts, distinct=distinct, codes=codes)
    reasons = draw(st.lists(TEXTS, min_size=1, max_size=4))
    days = st.one_of(st.integers(700_000, 800_000), st.just(NONE))
    return PromiseTable(
        refs=refs,
        line_nos=draw(st.lists(st.integers(0, 10**12), min_size=n_lines, max_size=n_lines)),
        skus=["KETTLE"] * n_lines,
        line_ids=list(range(1, n_lines + 1)),
        line=line,
        quantity=np.full(len(line), 1_000_000, dtype=np.int64),
        day=np.array(draw(st.lists(days, min_size=len(line), max_size=len(line))), dtype=np.int64),
        wording=np.array(
            draw(st.lists(st.integers(0, len(reasons) - 1), min_size=len(line), max_size=len(line))),
            dtype=np.int64,
        ),
        reasons=reasons,
        bases=[""] * len(reasons),
    )


@pytest.mark.parametrize("block", [1, 3, 20_000])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables())
def test_a_table_s_digest_made_from_its_columns_is_that_of_the_whole_text(
    table: PromiseTable, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refs coded or not, texts JSON escapes, open terms and large line numbers: the digest of
    the one JSON text of every line's ref, line number, day and reason."""
    monkeypatch.setattr(promise_digest, "_BLOCK", block)
    lines = Lines(table)
    assert promise_digest.promises_digest(lines) == digest_of_one_text(lines)
