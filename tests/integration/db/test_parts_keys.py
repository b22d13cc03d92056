"""The key each stored promise's parts get (`parts_key`), worked out a block at a time as a
whole plan's promises are written: by distinct part for the lines of one part, by text for the
others, it is the key of the text."""

from __future__ import annotations

from random import Random

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from more_itertools import sliced

from pegboard.adapters.db.planning.promises import _PartsKeys, parts_key
from pegboard.planning.engine import plan
from pegboard.planning.promises import Lines
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.workshops import workshops


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.randoms(use_true_random=False), st.integers(1, 7))
def test_a_whole_plans_parts_keyed_a_block_at_a_time_get_the_key_of_their_text(
    snapshot: PlanInput, random: Random, size: int
) -> None:
    lines = Lines(plan(snapshot).promises)
    promises = lines.promises(list(range(len(lines))))
    keys = _PartsKeys()
    order = list(range(len(lines)))
    random.shuffle(order)

    for block in sliced(order, size):
        texts = promises.parts_texts(block)
        by_part = promises.parts_by_part(block)
        event("by part" if by_part is not None else "by text")
        if by_part is not None and by_part.several:
            event("lines of several parts among them")
        assert keys(texts if by_part is None else by_part) == [parts_key(text) for text in texts]
        assert keys(list(texts)) == [parts_key(text) for text in texts]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops(), st.randoms(use_true_random=False), st.integers(1, 7))
def test_a_whole_plans_parts_by_distinct_value_are_its_texts_and_every_text_met_is_kept_by_its_key(
    snapshot: PlanInput, random: Random, size: int
) -> None:
    lines = Lines(plan(snapshot).promises)
    promises = lines.promises(list(range(len(lines))))
    keys = _PartsKeys()
    order = list(range(len(lines)))
    random.shuffle(order)
    every: set[str] = set()

    for block in sliced(order, size):
        texts = promises.parts_texts(block)
        by_part = promises.parts_by_part(block)
        event("by part" if by_part is not None else "by text")
        if by_part is not None:
            assert by_part.texts() == list(texts)
        assert keys(texts if by_part is None else by_part) == [parts_key(text) for text in texts]
        every.update(texts)

    assert keys.met() == {parts_key(text): text for text in every}
