"""Texts kept with their coding code as the texts alone do, so a kept plan stores the same bytes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pegboard.planning.coded import CodedTexts, coding, flags, joined
from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack, unpack
from pegboard.planning.net_change import demand_rank, replanned
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import PlanResult
from pegboard.planning.scope import narrowed
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import PlanInput
from tests.unit.planning.test_net_change import placed, plain, shops

#: A few texts, often repeated (order refs and SKUs repeat across lines).
texts = st.lists(st.sampled_from(["SO-1", "SO-2", "SO-10", "HILT", "ÉMETTEUR", ""]) | st.text(max_size=3))


def _coded(values: list[str]) -> CodedTexts:
    return CodedTexts.decoded(*coding(values))


def _same_coding(got: tuple[list[str], Ints], wanted: tuple[list[str], Ints]) -> bool:
    return got[0] == wanted[0] and got[1].tolist() == wanted[1].tolist()


@given(texts)
def test_texts_read_back_from_their_coding_are_the_texts_and_code_as_they_did(values: list[str]) -> None:
    coded = _coded(values)

    assert coded == values
    assert _same_coding(coding(coded), coding(values))


@given(texts, texts, st.booleans())
def test_joined_texts_are_both_lists_and_code_as_the_joined_list_does(
    first: list[str], second: list[str], first_coded: bool
) -> None:
    together = joined(_coded(first) if first_coded else first, second)

    assert together == [*first, *second]
    assert isinstance(together, CodedTexts) == first_coded
    assert _same_coding(coding(together), coding([*first, *second]))


@given(texts, st.sets(st.sampled_from(["SO-1", "HILT", "", "x"])))
def test_coded_texts_are_flagged_as_their_texts_are(values: list[str], wanted: set[str]) -> None:
    assert flags(_coded(values), wanted).tolist() == [v in wanted for v in values]
    assert flags(values, wanted).tolist() == [v in wanted for v in values]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops, st.data())
def test_a_plan_merged_into_a_kept_plan_read_back_stores_the_bytes_its_plain_texts_give(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """The merged plan's order refs and SKUs carry the kept plan's coding extended (net change);
    storing it gives the very bytes its texts as plain lists give."""
    before = plain(workshop)
    kept = unpack(pack(plan(before)))
    assert kept is not None
    changed, after = data.draw(placed(before))
    last = max(map(demand_rank, before.demands), default=None)

    merged = replanned(kept, narrowed(after, changed), last_kept=last)

    event("merged" if merged is not None else "planned whole")
    if merged is not None:
        assert isinstance(merged.promises, PromiseTable)
        assert isinstance(merged.promises.refs, CodedTexts)
        assert pack(merged) == pack(_with_plain_texts(merged))


def _with_plain_texts(result: PlanResult) -> PlanResult:
    """The same plan, its promises' order refs and SKUs as plain lists (coded from scratch)."""
    table = result.promises
    assert isinstance(table, PromiseTable)
    copy = table.taking(slice(None), list(table.extra))
    copy.refs, copy.skus = list(table.refs), list(table.skus)
    return replace(result, promises=copy)


@given(texts, texts)
def test_texts_coded_like_a_coded_list_code_as_they_alone_do(values: list[str], other: list[str]) -> None:
    assert _same_coding(coding(values, like=_coded(other)), coding(values))
    assert _same_coding(coding(values, like=_coded(values)), coding(values))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops, st.data())
def test_a_plan_packed_like_the_kept_plan_stores_the_bytes_it_alone_gives(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """The kept plan read back lends its coded order refs and SKUs to the next plan's bytes:
    the same lines (the next day) or others (orders placed since)."""
    before = plain(workshop)
    kept = unpack(pack(plan(before)))
    assert kept is not None
    _, after = data.draw(placed(before))

    for result in (plan(before), plan(after)):
        assert isinstance(result.promises, PromiseTable) and isinstance(kept.promises, PromiseTable)
        same = list(result.promises.refs) == list(kept.promises.refs)
        event("the kept plan's lines" if same else "other lines")
        assert pack(_with_plain_texts(result), like=kept) == pack(_with_plain_texts(result))


@given(
    st.lists(st.sampled_from(["SO-1", "SO-2", "SO-10", "HILT", "ÉMETTEUR", "", "HILT"]), min_size=1),
    st.data(),
)
def test_texts_gathered_by_indexes_are_those_texts_and_code_as_they_alone_do(
    values: list[str], data: st.DataObject
) -> None:
    """Order refs and SKUs as a store gathers them (one value per order or item, an index per
    line), in order or not, a value repeated or not: their coding is the texts' own."""
    index = data.draw(st.lists(st.integers(0, len(values) - 1)))
    if data.draw(st.booleans()):
        index.sort()
    gathered = CodedTexts.gathered(values, np.asarray(index, dtype=np.int64))
    alone = [values[k] for k in index]

    assert gathered == alone
    assert _same_coding(coding(gathered), coding(alone))
    assert _same_coding((gathered.distinct, gathered.codes), coding(alone))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops, st.data())
def test_a_plan_of_gathered_texts_stores_the_bytes_its_plain_texts_give_alone_or_like_the_kept_plan(
    workshop: PlanInput, data: st.DataObject
) -> None:
    """A first plan's order refs and SKUs come gathered from the store's reading of the lines;
    packed alone or like the kept plan (which then lends its coding and deflated parts), the
    bytes are those its texts as plain lists give."""
    before = plain(workshop)
    kept = unpack(pack(plan(before)))
    assert kept is not None
    _, after = data.draw(placed(before))

    for result in (plan(before), plan(after)):
        plain_texts = _with_plain_texts(result)
        for like in (None, kept):
            assert pack(_with_gathered_texts(result), like=like) == pack(plain_texts)


def _with_gathered_texts(result: PlanResult) -> PlanResult:
    """The same plan, its promises' order refs and SKUs gathered from their distinct values in
    sorted order (not their coding's order of first appearance)."""
    table = result.promises
    assert isinstance(table, PromiseTable)
    copy = table.taking(slice(None), list(table.extra))
    for name in ("refs", "skus"):
        values = sorted(set(getattr(table, name)))
        at = {value: k for k, value in enumerate(values)}
        index = np.asarray([at[text] for text in getattr(table, name)], dtype=np.int64)
        setattr(copy, name, CodedTexts.gathered(values, index))
    return replace(result, promises=copy)
