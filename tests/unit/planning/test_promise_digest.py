"""A plan's promise digest is the SHA-256 of its lines' promises as one JSON text, however the
text is made (a block at a time), on random workshops."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings

from pegboard.planning import promise_digest
from pegboard.planning.engine import plan
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
