"""The stored plan's rows (its production queue, suggestions and dated MOs): written from a
plan's result, and on a re-plan only where they differ from the rows already stored.

Rows are made a column at a time (`Columns`): a first plan or a next business day writes every
one of 62k queue entries and 90k suggestions at a large shop, and the JSON of their completed
orders and missing materials is written by hand, each distinct SKU and day converted once (a
property test holds it to `json.dumps`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    select,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.row_sync import (
    Columns,
    RowChanges,
    insert_columns,
    known_changes,
    rows_of,
    sync_rows,
)
from pegboard.adapters.db.sparse_ranks import fresh_ranks, kept_ranks
from pegboard.planning.configurations import split_sku
from pegboard.planning.queue_keys import queue_keys
from pegboard.planning.result import (
    FeasibleDates,
    MissingMaterial,
    PlanResult,
    ProductionSuggestion,
    PurchaseSuggestion,
    QueueEntry,
)
from pegboard.planning.values import iso_day

Suggestion = PurchaseSuggestion | ProductionSuggestion


@dataclass(frozen=True)
class PlanRows:
    """A plan's queue and suggestion rows as columns, but for their plan's id (`plan_rows`)."""

    queue: Columns
    suggestions: Columns

    def of_plan(self, plan_id: int) -> tuple[Columns, Columns]:
        """The queue's and the suggestions' columns, of plan `plan_id`."""
        return _of_plan(plan_id, self.queue), _of_plan(plan_id, self.suggestions)


def plan_rows(result: PlanResult) -> PlanRows:
    """Every queue and suggestion row of `result`, as `insert_plan_rows` writes them: made apart
    from the connection, so a plan's save can have them made while it waits on the database."""
    entries = result.production_queue
    suggestions = _suggestions(result)
    return PlanRows(
        _entry_columns(fresh_ranks(len(entries)), entries),
        _suggestion_columns(range(1, len(suggestions) + 1), suggestions),
    )


def _of_plan(plan_id: int, columns: Columns) -> Columns:
    """The rows given as columns, each of plan `plan_id` (its column first)."""
    return {"plan_id": [plan_id] * len(next(iter(columns.values()), ())), **columns}


def insert_plan_rows(
    conn: Connection, plan_id: int, result: PlanResult, rows: PlanRows | None = None
) -> None:
    """Write `result`'s queue, suggestion and MO rows for plan `plan_id`, which has none yet;
    `rows`: its rows made already (`plan_rows`)."""
    queue, suggestions = (rows or plan_rows(result)).of_plan(plan_id)
    insert_columns(conn, t.stored_plan_queue, queue)
    insert_columns(conn, t.stored_plan_suggestions, suggestions)
    insert_columns(conn, t.stored_plan_mos, mo_columns(plan_id, result.feasible_mos))


def sync_plan_rows(conn: Connection, plan_id: int, result: PlanResult, rows: PlanRows | None = None) -> None:
    """Make plan `plan_id`'s queue, suggestion and MO rows `result`'s, reading the stored rows to
    write only those that differ (`row_sync.sync_rows`); `rows`: its rows made already."""
    queue, suggestions = (rows or plan_rows(result)).of_plan(plan_id)
    sync_rows(
        conn, t.stored_plan_queue, rows_of(queue), key="rank", where=t.stored_plan_queue.c.plan_id == plan_id
    )
    sync_rows(
        conn,
        t.stored_plan_suggestions,
        rows_of(suggestions),
        key="seq",
        where=t.stored_plan_suggestions.c.plan_id == plan_id,
    )
    mos = rows_of(mo_columns(plan_id, result.feasible_mos))
    sync_rows(conn, t.stored_plan_mos, mos, key="ref", where=t.stored_plan_mos.c.plan_id == plan_id)


def queue_ranks(conn: Connection, plan_id: int) -> list[int]:
    """The ranks of plan `plan_id`'s queue rows, in order (`sparse_ranks`)."""
    q = t.stored_plan_queue
    return list(conn.execute(select(q.c.rank).where(q.c.plan_id == plan_id).order_by(q.c.rank)).scalars())


def changed_plan_rows(
    plan_id: int, ranks: Sequence[int], before: PlanResult, result: PlanResult
) -> list[RowChanges]:
    """What makes plan `plan_id`'s queue, suggestion and MO rows `result`'s (`row_sync.write_changes`
    each), when they are known to be `before`'s, its queue rows ranked `ranks`: the rows and the
    kept result are written together by `SqlStoredPlan.save` and by nothing else, so the kept
    plan says what every row holds. Only the entries that differ from it are turned into rows
    (`row_sync.known_changes`); made apart from the connection, so `save` has them made while
    the connection writes something else."""
    s, m = t.stored_plan_suggestions, t.stored_plan_mos
    return [
        _queue_changes(plan_id, ranks, before.production_queue, result.production_queue),
        known_changes(
            s,
            key="seq",
            where=s.c.plan_id == plan_id,
            stored=dict(enumerate(_suggestions(before), start=1)),
            wanted=dict(enumerate(_suggestions(result), start=1)),
            columns=lambda seqs, suggestions: suggestion_columns(plan_id, seqs, suggestions),
        ),
        known_changes(
            m,
            key="ref",
            where=m.c.plan_id == plan_id,
            stored={f.ref: f for f in before.feasible_mos},
            wanted={f.ref: f for f in result.feasible_mos},
            columns=lambda _refs, mos: mo_columns(plan_id, mos),
        ),
    ]


def _suggestions(result: PlanResult) -> list[Suggestion]:
    """A plan's suggestions in the order their rows are numbered: purchases, then MOs."""
    return [*result.purchase_suggestions, *result.production_suggestions]


def _queue_changes(
    plan_id: int, ranks: Sequence[int], before: Sequence[QueueEntry], queue: Sequence[QueueEntry]
) -> RowChanges:
    """What makes plan `plan_id`'s queue rows, ranked `ranks` and known to hold the entries
    `before`, hold `queue`: the entries still there in the same order keep their rows and ranks
    (`sparse_ranks`), the others are deleted and inserted; with no room left between ranks, all
    are numbered afresh."""
    q = t.stored_plan_queue
    found = None
    if len(ranks) == len(before):
        # The kept queue keyed from its columns, its entries never made (`planning.queue_keys`).
        found = kept_ranks(list(zip(ranks, queue_keys(before), strict=True)), queue_keys(queue))
    if found is None:
        new_ranks, kept = fresh_ranks(len(queue)), set[int]()
    else:
        new_ranks, kept = found
    gone = [r for r in ranks if r not in kept]
    fresh = [(r, e) for r, e in zip(new_ranks, queue, strict=True) if r not in kept]
    rows = queue_columns(plan_id, [r for r, _ in fresh], [e for _, e in fresh]) if fresh else {}
    return RowChanges(q, "rank", q.c.plan_id == plan_id, gone, sorted(kept), rows)


def queue_columns(plan_id: int, ranks: Sequence[int], entries: Sequence[QueueEntry]) -> Columns:
    """The queue rows of these entries, with these ranks, as columns."""
    return _of_plan(plan_id, _entry_columns(ranks, entries))


def _entry_columns(ranks: Sequence[int], entries: Sequence[QueueEntry]) -> Columns:
    """`queue_columns` but for the plan's id."""
    # A configuration's MO: the item's SKU and its choices apart (`planning.configurations`).
    skus, options = _split_skus([e.sku for e in entries])
    return {
        "rank": list(ranks),
        "ref": [e.ref for e in entries],
        "sku": skus,
        "options": options,
        "quantity": [e.quantity for e in entries],
        "start_date": [e.start_date for e in entries],
        "finish_date": [e.finish_date for e in entries],
        "completes": [json_texts(e.completes) for e in entries],
        "missing": materials_json([e.missing for e in entries]),
    }


def suggestion_columns(plan_id: int, seqs: Sequence[int], suggestions: Sequence[Suggestion]) -> Columns:
    """The rows of these suggestions, numbered `seqs`, as columns: a purchase names its supplier,
    an MO its ref and, apart from its SKU, its configuration (`planning.configurations`)."""
    return _of_plan(plan_id, _suggestion_columns(seqs, suggestions))


def _suggestion_columns(seqs: Sequence[int], suggestions: Sequence[Suggestion]) -> Columns:
    """`suggestion_columns` but for the plan's id."""
    split: dict[str, tuple[str, str]] = {}
    made: list[tuple[str, str | None, str | None, str, str]] = []
    for s in suggestions:
        if isinstance(s, PurchaseSuggestion):
            made.append(("buy", None, s.supplier, s.sku, ""))
        else:
            sku, chosen = split.get(s.sku) or split.setdefault(s.sku, split_sku(s.sku))
            made.append(("make", s.ref, None, sku, chosen))
    kinds, refs, suppliers, skus, options = map(list, zip(*made, strict=True)) if made else ([],) * 5
    return {
        "kind": kinds,
        "ref": refs,
        "supplier": suppliers,
        "sku": skus,
        "options": options,
        "quantity": [s.quantity for s in suggestions],
        # A purchase's order and expected dates, an MO's start and finish.
        "start_date": [s[3] for s in suggestions],
        "end_date": [s[4] for s in suggestions],
        "seq": list(seqs),
    }


def mo_columns(plan_id: int, mos: Sequence[FeasibleDates]) -> Columns:
    """The rows of these open MOs' feasible dates, as columns."""
    return {
        "plan_id": [plan_id] * len(mos),
        "ref": [f.ref for f in mos],
        "start_date": [f.start_date for f in mos],
        "finish_date": [f.finish_date for f in mos],
        "late_because": [f.late_because for f in mos],
    }


def _split_skus(skus: Sequence[str]) -> tuple[list[str], list[str]]:
    """Each planning item's SKU and options (`split_sku`), each distinct name split once."""
    split = {sku: split_sku(sku) for sku in set(skus)}
    return [split[s][0] for s in skus], [split[s][1] for s in skus]


def materials_json(lists: Sequence[Sequence[MissingMaterial]]) -> list[str]:
    """Each list of missing materials as `json.dumps` writes it, as a list of
    {"sku", "quantity" (its text), "available_date"} (ISO, or null for open term): written by
    hand, each distinct SKU and day converted once."""
    skus: dict[str, str] = {}
    days: dict[date | None, str] = {}
    texts: list[str] = []
    for materials in lists:
        if not materials:
            texts.append("[]")
            continue
        parts = []
        for sku, quantity, available in materials:
            sku_text = skus.get(sku)
            if sku_text is None:
                sku_text = skus[sku] = json_text(sku)
            day = days.get(available)
            if day is None:
                day = days[available] = json.dumps(iso_day(available))
            # A Decimal's text (digits, sign, point, exponent, NaN, Infinity) needs no escape.
            parts.append(f'{{"sku": {sku_text}, "quantity": "{quantity!s}", "available_date": {day}}}')
        texts.append(f"[{', '.join(parts)}]")
    return texts


def json_text(text: str) -> str:
    """`json.dumps(text)`: quoted as it is when nothing in it needs escaping."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


def json_texts(texts: Sequence[str]) -> str:
    """`json.dumps(list(texts))`: joined as they are when none needs escaping (a queue entry can
    complete thousands of orders, and a first plan writes every entry), else by `json.dumps`."""
    if not texts:
        return "[]"
    plain = "".join(texts)
    if plain.isascii() and plain.isprintable() and '"' not in plain and "\\" not in plain:
        return '["' + '", "'.join(texts) + '"]'
    return json.dumps(list(texts))


def missing_material(m: dict[str, Any]) -> MissingMaterial:
    available = m["available_date"]
    return MissingMaterial(
        m["sku"], Decimal(m["quantity"]), None if available is None else date.fromisoformat(available)
    )
