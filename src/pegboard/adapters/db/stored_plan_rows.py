"""The stored plan's rows (its production queue, suggestions and dated MOs): written from a
plan's result, and on a re-plan only where they differ from the rows already stored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    select,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.copying import copy_rows
from pegboard.adapters.db.row_sync import delete_keys, sync_known_rows, sync_rows
from pegboard.adapters.db.sparse_ranks import fresh_ranks, kept_ranks
from pegboard.planning.configurations import split_sku
from pegboard.planning.result import (
    FeasibleDates,
    MissingMaterial,
    PlanResult,
    ProductionSuggestion,
    PurchaseSuggestion,
    QueueEntry,
)
from pegboard.planning.values import iso_day


def sync_plan_rows(conn: Connection, plan_id: int, result: PlanResult) -> None:
    """Make plan `plan_id`'s queue, suggestion and MO rows `result`'s, reading the stored rows to
    write only those that differ (`row_sync.sync_rows`)."""
    entries = result.production_queue
    queue = [_queue_row(plan_id, rank, e) for rank, e in zip(fresh_ranks(len(entries)), entries, strict=True)]
    sync_rows(conn, t.stored_plan_queue, queue, key="rank", where=t.stored_plan_queue.c.plan_id == plan_id)
    rows = [_purchase_row(plan_id, s) for s in result.purchase_suggestions]
    rows += [_making_row(plan_id, s) for s in result.production_suggestions]
    suggestions = [{**row, "seq": n} for n, row in enumerate(rows, 1)]
    sync_rows(
        conn,
        t.stored_plan_suggestions,
        suggestions,
        key="seq",
        where=t.stored_plan_suggestions.c.plan_id == plan_id,
    )
    mos = [_feasible_row(plan_id, f) for f in result.feasible_mos]
    sync_rows(conn, t.stored_plan_mos, mos, key="ref", where=t.stored_plan_mos.c.plan_id == plan_id)


def sync_changed_plan_rows(conn: Connection, plan_id: int, before: PlanResult, result: PlanResult) -> None:
    """As `sync_plan_rows`, when plan `plan_id`'s rows are known to be `before`'s: the rows and
    the kept result are written together by `SqlStoredPlan.save` and by nothing else, so the
    kept plan says what every row holds. Only the entries that differ from it are turned into
    rows and written (`row_sync.sync_known_rows`); nothing is read back."""
    s, m = t.stored_plan_suggestions, t.stored_plan_mos
    _sync_queue(conn, plan_id, before.production_queue, result.production_queue)
    sync_known_rows(
        conn,
        s,
        key="seq",
        where=s.c.plan_id == plan_id,
        stored=dict(enumerate([*before.purchase_suggestions, *before.production_suggestions], start=1)),
        wanted=dict(enumerate([*result.purchase_suggestions, *result.production_suggestions], start=1)),
        row=lambda seq, x: {**_suggestion_row(plan_id, x), "seq": seq},
    )
    sync_known_rows(
        conn,
        m,
        key="ref",
        where=m.c.plan_id == plan_id,
        stored={f.ref: f for f in before.feasible_mos},
        wanted={f.ref: f for f in result.feasible_mos},
        row=lambda _ref, f: _feasible_row(plan_id, f),
    )


def _sync_queue(
    conn: Connection, plan_id: int, before: Sequence[QueueEntry], queue: Sequence[QueueEntry]
) -> None:
    """Make plan `plan_id`'s queue rows, known to hold the entries `before`, hold `queue`: the
    entries still there in the same order keep their rows and ranks (`sparse_ranks`), the others
    are deleted and inserted; with no room left between ranks, all are numbered afresh."""
    q = t.stored_plan_queue
    ranks = conn.execute(select(q.c.rank).where(q.c.plan_id == plan_id).order_by(q.c.rank)).scalars().all()
    wanted = [_queue_value(e) for e in queue]
    found = None
    if len(ranks) == len(before):
        found = kept_ranks(list(zip(ranks, map(_queue_value, before), strict=True)), wanted)
    if found is None:
        new_ranks, kept = fresh_ranks(len(queue)), set[int]()
    else:
        new_ranks, kept = found
    gone = [r for r in ranks if r not in kept]
    delete_keys(conn, q, key="rank", where=q.c.plan_id == plan_id, keys=gone, every=len(gone) == len(ranks))
    fresh = [_queue_row(plan_id, r, e) for r, e in zip(new_ranks, queue, strict=True) if r not in kept]
    if fresh:
        copy_rows(conn, q, fresh)


def _queue_value(e: QueueEntry) -> tuple[QueueEntry, tuple[str, ...]]:
    """A queue entry with the text its missing quantities are written as (equal Decimals may
    read differently: 1 and 1.0): equal values give equal rows."""
    return e, tuple([str(m.quantity) for m in e.missing])


def _suggestion_row(plan_id: int, s: PurchaseSuggestion | ProductionSuggestion) -> dict[str, Any]:
    return _purchase_row(plan_id, s) if isinstance(s, PurchaseSuggestion) else _making_row(plan_id, s)


def _queue_row(plan_id: int, rank: int, e: QueueEntry) -> dict[str, Any]:
    # `json.dumps` of the list of materials, each distinct material written once.
    missing = ", ".join(_material_json(m.sku, str(m.quantity), m.available_date) for m in e.missing)
    return {
        "plan_id": plan_id,
        "rank": rank,
        "ref": e.ref,
        # A configuration's MO: the item's SKU and its choices apart (`planning.configurations`).
        "sku": split_sku(e.sku)[0],
        "options": split_sku(e.sku)[1],
        "quantity": e.quantity,
        "start_date": e.start_date,
        "finish_date": e.finish_date,
        "completes": json_texts(e.completes),
        "missing": f"[{missing}]",
    }


@lru_cache(maxsize=1 << 16)
def _material_json(sku: str, quantity: str, available: date | None) -> str:
    """A missing material as a queue row's JSON holds it (the quantity as its text)."""
    return json.dumps({"sku": sku, "quantity": quantity, "available_date": iso_day(available)})


def json_texts(texts: Sequence[str]) -> str:
    """`json.dumps(list(texts))`: joined as they are when none needs escaping (a queue entry can
    complete thousands of orders, and a first plan writes every entry), else by `json.dumps`."""
    joined = '", "'.join(texts)
    if joined.isascii() and joined.isprintable() and '"' not in joined and "\\" not in joined:
        return f'["{joined}"]' if texts else "[]"
    return json.dumps(list(texts))


def missing_material(m: dict[str, Any]) -> MissingMaterial:
    available = m["available_date"]
    return MissingMaterial(
        m["sku"], Decimal(m["quantity"]), None if available is None else date.fromisoformat(available)
    )


def _feasible_row(plan_id: int, f: FeasibleDates) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "ref": f.ref,
        "start_date": f.start_date,
        "finish_date": f.finish_date,
        "late_because": f.late_because,
    }


def _purchase_row(plan_id: int, s: PurchaseSuggestion) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "kind": "buy",
        "ref": None,
        "supplier": s.supplier,
        "sku": s.sku,
        "options": "",
        "quantity": s.quantity,
        "start_date": s.order_date,
        "end_date": s.expected_date,
    }


def _making_row(plan_id: int, s: ProductionSuggestion) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "kind": "make",
        "ref": s.ref,
        "supplier": None,
        "sku": split_sku(s.sku)[0],
        "options": split_sku(s.sku)[1],
        "quantity": s.quantity,
        "start_date": s.start_date,
        "end_date": s.finish_date,
    }
