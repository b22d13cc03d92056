"""A plan kept as bytes reads back as the same plan (the stored plan answers unchanged re-plans)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from pytest import MonkeyPatch

from pegboard.planning import kept_plan
from pegboard.planning.engine import plan
from pegboard.planning.kept_plan import pack, unpack, unpack_promises
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.snapshot import PlanInput
from pegboard.views.plan import plan_json
from tests.unit.planning.builders import day, lightsaber_workshop
from tests.unit.planning.test_reliable_matches_reference import with_history
from tests.unit.planning.workshops import workshops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_a_kept_plan_reads_back_as_the_same_plan(snapshot: PlanInput) -> None:
    result = plan(snapshot)

    kept = unpack(pack(result))

    assert kept == result
    assert plan_json(kept) == plan_json(result)
    assert unpack_promises(pack(result)) == result.promises
    assert isinstance(kept.promises, PromiseTable) and isinstance(result.promises, PromiseTable)
    assert list(kept.promises.line_ids) == list(result.promises.line_ids)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_history())
def test_a_kept_plan_keeps_dates_moved_by_suppliers_history(snapshot: PlanInput) -> None:
    result = plan(snapshot)

    kept = unpack(pack(result))

    assert kept == result
    assert plan_json(kept) == plan_json(result)


def test_a_plan_of_plain_promises_reads_back_as_the_same_promises() -> None:
    result = plan(lightsaber_workshop(crystal_po_due=day(14)))
    by_hand = replace(result, promises=list(result.promises))

    kept = unpack(pack(by_hand))

    assert kept is not None and list(kept.promises) == list(result.promises)
    assert plan_json(kept) == plan_json(by_hand)


#: A plan packed by format 2 (a deflated `.npz`; session 12's code), of
#: `lightsaber_workshop(crystal_po_due=day(14))`.
FORMAT_2 = Path(__file__).with_name("kept_plan_format2.bin")


def test_a_plan_kept_by_format_2_reads_back_as_no_plan_so_it_is_planned_again() -> None:
    older = FORMAT_2.read_bytes()

    assert unpack(older) is None
    assert unpack_promises(older) is None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_a_kept_plans_rows_read_by_index_and_slice_are_the_plans_own(snapshot: PlanInput) -> None:
    result = plan(snapshot)
    with MonkeyPatch.context() as patch:  # parts of 2 rows, then 3: rows read across parts
        patch.setattr(kept_plan, "FIRST", 2)
        patch.setattr(kept_plan, "CHUNK", 3)
        kept = unpack(pack(result))
    assert kept is not None

    for name in ("purchase_suggestions", "production_suggestions", "production_queue"):
        rows, read = list(getattr(result, name)), getattr(kept, name)
        assert len(read) == len(rows)
        for cut in (slice(0, 3), slice(1, None), slice(-2, None), slice(None, None, 2), slice(5, 1)):
            assert list(read[cut]) == rows[cut]
        assert [read[i] for i in range(-len(rows), len(rows))] == rows[-len(rows) :] + rows
        assert list(read) == rows


def test_a_long_kept_list_is_read_a_chunk_at_a_time_and_reads_back_whole(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(kept_plan, "FIRST", 1)
    monkeypatch.setattr(kept_plan, "CHUNK", 2)
    result = plan(lightsaber_workshop(crystal_po_due=day(14)))
    by_hand = replace(result, production_queue=list(result.production_queue) * 3)
    rows = list(by_hand.production_queue)
    assert len(rows) > 4

    packed = pack(by_hand)
    monkeypatch.setattr(kept_plan, "FIRST", 100)  # the bytes say how many rows a part holds
    monkeypatch.setattr(kept_plan, "CHUNK", 1000)
    kept = unpack(packed)

    assert kept is not None and kept == by_hand
    queue = kept.production_queue
    assert queue[0] == rows[0] and queue[1:4] == rows[1:4] and queue[len(rows) - 1] == rows[-1]
    assert queue[2:3] == rows[2:3] and queue[-3:] == rows[-3:]
    assert list(queue) == rows and plan_json(kept) == plan_json(by_hand)
    assert pickle.loads(pickle.dumps(kept)) == by_hand and copy.deepcopy(kept) == by_hand


def test_bytes_of_another_format_read_back_as_no_plan(monkeypatch: MonkeyPatch) -> None:
    older = pack(plan(lightsaber_workshop(crystal_po_due=day(14))))

    monkeypatch.setattr(kept_plan, "FORMAT", kept_plan.FORMAT + 1)

    assert unpack(older) is None


def test_a_kept_plans_line_ids_read_back_stored_or_not() -> None:
    result = plan(lightsaber_workshop(crystal_po_due=day(14)))
    table = result.promises
    assert isinstance(table, PromiseTable) and len(table.line_ids) > 1
    count = len(table.line_ids)

    for ids in ([70 + k for k in range(count)], [None if k % 2 else 70 + k for k in range(count)]):
        with_ids = table.taking(slice(None), table.extra)
        with_ids.line_ids = ids
        kept = unpack(pack(replace(result, promises=with_ids)))

        assert kept is not None and isinstance(kept.promises, PromiseTable)
        assert list(kept.promises.line_ids) == ids
