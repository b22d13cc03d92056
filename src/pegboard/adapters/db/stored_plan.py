"""The last plan kept in the database, and how we know it is out of date.

A plan run stores its production queue and suggestions (its promises go to `line_promises`), so
pages read them instead of planning on every visit. Every committed transaction that wrote a
table planning reads leaves a row in `plan_input_changes` (`watch_plan_inputs` notices the
writes on the connection; the unit of work adds the row when it commits); a stored plan that
saw fewer such rows than there are now is out of date.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from more_itertools import sliced
from sqlalchemy import (
    Connection,
    Delete,
    Engine,
    Insert,
    Update,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.row_sync import sync_known_rows, sync_rows
from pegboard.adapters.db.sparse_ranks import fresh_ranks, kept_ranks
from pegboard.planning.configurations import configured_sku, split_sku
from pegboard.planning.kept_plan import pack, unpack
from pegboard.planning.result import (
    FeasibleDates,
    MissingMaterial,
    PlanResult,
    ProductionSuggestion,
    Promise,
    PurchaseSuggestion,
    QueueEntry,
)
from pegboard.planning.values import iso_day

#: The tables a plan's snapshot reads: a write to any of them can change the plan.
PLAN_INPUTS = frozenset(
    {
        "suppliers",
        "items",
        "bom_lines",
        "stock_moves",
        "sales_orders",
        "order_lines",
        "purchase_orders",
        "purchase_order_lines",
        "manufacturing_orders",
        # A quote's hold takes stock from what the plan sees as available.
        "quote_holds",
        # A configuration's kept stock serves only its lines (`planning.configurations`).
        "configured_stock",
        # Components reserved for an MO are pegged to it (`services.reserving`).
        "mo_reservations",
        # Configured lines' BOMs, and the reschedules suppliers' reliability is learned from.
        "item_options",
        "expected_date_changes",
    }
)
#: Item columns derived from the ledger and the lines (written with them): not inputs themselves.
_DERIVED_ITEM_COLUMNS = frozenset({"on_hand", "allocated", "waiting"})
_WRITTEN = "pegboard_plan_inputs_written"
_PLACED, _PLACED_LINES, _LINES = "pegboard_placed_orders", "pegboard_placed_lines", "pegboard_lines_inserted"
_SHIPPING = "pegboard_shipping_statements"
_NOTES = (_WRITTEN, _PLACED, _PLACED_LINES, _LINES, _SHIPPING)
#: No statements (never written to).
_NOTHING: Counter[tuple[str, str]] = Counter()
#: What placing new orders writes of the plan inputs: nothing else.
_PLACING = frozenset({("INSERT", "sales_orders"), ("INSERT", "order_lines")})


def watch_plan_inputs(engine: Engine) -> None:
    """Note on a connection each plan input it writes (verb and table), for
    `SqlStoredPlan.note_changes` at commit."""

    # At the cursor, so that driver-level SQL (the bulk paths' `exec_driver_sql`) is seen too.
    @event.listens_for(engine, "after_cursor_execute")
    def _after_cursor_execute(
        conn: Connection, _cursor: Any, sql: str, _p: Any, context: Any, _m: Any
    ) -> None:
        compiled = getattr(context, "compiled", None)
        written = _input_write(sql if compiled is None else compiled.statement)
        if written is not None:
            counts = conn.info.get(_WRITTEN)
            if counts is None:
                counts = conn.info[_WRITTEN] = Counter()
            counts[written] += 1


def _input_write(statement: Any) -> tuple[str, str] | None:
    """The verb and table of a Core INSERT, UPDATE or DELETE, or the text of one (bulk paths),
    that writes a plan input; None for any other statement."""
    if isinstance(statement, Insert | Update | Delete):
        name = getattr(statement.table, "name", None)
        columns = None
        if isinstance(statement, Update):
            columns = {getattr(column, "key", str(column)) for column in statement._values or {}}
        verb = (
            "INSERT"
            if isinstance(statement, Insert)
            else "UPDATE"
            if isinstance(statement, Update)
            else "DELETE"
        )
        return (verb, str(name)) if _writes_input(name, columns) else None
    if isinstance(statement, str) and (found := _RAW_WRITE.match(statement)):
        columns = None
        verb = found["verb"].split()[0].upper()
        if verb == "UPDATE" and (assigned := _RAW_SET.search(statement)):
            columns = set(_RAW_COLUMN.findall(assigned[1]))
        return (verb, found["table"]) if _writes_input(found["table"], columns) else None
    return None


def _writes_input(table: str | None, updated: set[str] | None) -> bool:
    """Whether writing `table` (updating the `updated` columns, when known) can change a plan."""
    if table not in PLAN_INPUTS:
        return False
    return not (table == "items" and updated and updated <= _DERIVED_ITEM_COLUMNS)


def note_placed(conn: Connection, order_refs: Sequence[str], lines: int) -> None:
    """Note on the connection the new orders just inserted, with their `lines` lines."""
    conn.info.setdefault(_PLACED, []).extend(order_refs)
    conn.info[_PLACED_LINES] = conn.info.get(_PLACED_LINES, 0) + lines


def note_lines(conn: Connection, lines: int) -> None:
    """Note on the connection order lines just inserted, of new orders or of orders there before."""
    conn.info[_LINES] = conn.info.get(_LINES, 0) + lines


def note_shipping(conn: Connection, verb: str, table: str) -> None:
    """Note on the connection one statement that ships allocated stock and nothing else (a
    shipment's stock move; a line's allocated moved to shipped, and its order's status): it
    leaves what planning sees as it was (available stock and backorders)."""
    conn.info.setdefault(_SHIPPING, Counter())[(verb, table)] += 1


def _placed_only(info: dict[Any, Any], written: Counter[tuple[str, str]]) -> str | None:
    """The refs (JSON) of the orders a transaction placed when placing them and shipping allocated
    stock is all it did to what planning reads (new orders' rows, shipments); else None."""
    placed = info.pop(_PLACED, [])
    placed_lines, lines = info.pop(_PLACED_LINES, 0), info.pop(_LINES, 0)
    shipping: Counter[tuple[str, str]] = info.pop(_SHIPPING, None) or _NOTHING
    if placed_lines != lines or not written.keys() <= _PLACING | shipping.keys():
        return None
    if any(written[key] != count for key, count in shipping.items()):
        return None
    return json.dumps(sorted(set(placed)))


#: The row a transaction that wrote a plan input adds at commit: built once, as every order taken adds one.
_NOTE_CHANGE = insert(t.plan_input_changes)

_RAW_WRITE = re.compile(
    r'\s*(?P<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?P<table>\w+)"?', re.IGNORECASE
)
_RAW_SET = re.compile(r"\bSET\s+(.*?)\s+(?:FROM|WHERE)\b", re.IGNORECASE | re.DOTALL)
_RAW_COLUMN = re.compile(r"(?:^|,)\s*\"?(\w+)\"?\s*=")


@dataclass(frozen=True)
class PlanStamp:
    """When the stored plan was made and whether anything planning reads changed since."""

    planned_on: date
    planned_at: datetime
    out_of_date: bool


@dataclass(frozen=True)
class StoredPlan:
    """The stored plan's queue and suggestions (no promises: those are read per line)."""

    stamp: PlanStamp
    result: PlanResult


class SqlStoredPlan:
    """Keeps the last plan (its queue and suggestions as rows, the whole of it as one value), and
    the log of plan-input changes.

    `made_with` names, in words, the settings planning reads beside the database (the promise
    confidence): a kept plan answers only under the same ones.
    """

    def __init__(self, conn: Connection, now: datetime, *, made_with: str = "") -> None:
        self.conn, self.now, self.made_with = conn, now, made_with
        #: The stored plan as this transaction read it (`last_promises`): its id and result.
        self._read: tuple[int, PlanResult] | None = None

    def begin(self) -> None:
        """Forget writes noticed on this pooled connection before this transaction."""
        for key in _NOTES:
            self.conn.info.pop(key, None)

    def inputs_seen(self, *, after: int | None = None) -> int:
        """The last plan-input change committed so far (0: none); read before a plan's snapshot.

        On PostgreSQL, writers commit concurrently, so ids are not committed in their order: a
        writer that drew id 7 may still be committing when id 8 is read as the highest. Its
        change would be missing from the plan's snapshot and yet count as seen. So the highest id
        is read behind a SHARE lock, taken in a short transaction of its own: the lock waits for
        every transaction holding a change row it has not committed yet (an insert holds ROW
        EXCLUSIVE until its transaction ends), and a writer that inserts later draws a higher id.
        Writers wait only while earlier writers finish their commit, never for the plan.

        With `after`, the changes after it are read without the lock when they leave no gap
        (`_unbroken_after`): quotes following the kept leftover then never wait for writers.
        """
        latest = select(func.max(t.plan_input_changes.c.id))
        if self.conn.dialect.name != "postgresql":  # SQLite commits one writer at a time
            return int(self.conn.execute(latest).scalar() or 0)
        if after is not None:
            unbroken = self._unbroken_after(after)
            if unbroken is not None:
                return unbroken
        with self.conn.engine.connect() as side, side.begin():
            side.execute(text("LOCK TABLE plan_input_changes IN SHARE MODE"))
            return int(side.execute(latest).scalar() or 0)

    def _unbroken_after(self, after: int) -> int | None:
        """The last of the committed changes numbered after `after` without a gap (`after` when
        there are none), read without a lock; None when one is missing, which may be a writer
        still committing (or one that rolled back): then only the lock can tell.

        Every change up to `after` is decided (it was read so), and a change row is inserted
        just before its transaction commits, so the ones after it become visible in their
        order, but for writers committing side by side: those leave a gap while they do. A
        quote that reads up to the gap answers as it would have a moment before; the
        `inputs_seen` lock would make it wait for every order being placed (lock waits were
        most of a quote's time under order load, BENCHMARKS.md)."""
        ch = t.plan_input_changes.c
        last = after
        for (change,) in self.conn.execute(select(ch.id).where(ch.id > after).order_by(ch.id)):
            if change != last + 1:
                return None
            last = change
        return last

    def note_changes(self) -> None:
        """Log this transaction as a plan-input change when it wrote one (called just before
        commit), naming the orders it placed when that, and shipping, is all it changed."""
        written = self.conn.info.pop(_WRITTEN, None)
        placed = _placed_only(self.conn.info, written or _NOTHING)
        if written:
            self.conn.execute(_NOTE_CHANGE, {"changed_at": self.now, "placed_orders": placed})

    def placed_since(self, seen: int, upto: int) -> list[str] | None:
        """The refs of the orders placed by the changes after `seen` up to `upto`, when placing
        orders and shipping is all those changes did; None when one did more, or when the log no
        longer holds them all (a stored plan prunes the changes before the ones it saw)."""
        ch = t.plan_input_changes.c
        if seen == 0 or self.conn.execute(select(ch.id).where(ch.id == seen)).first() is None:
            return None
        refs: list[str] = []
        rows = self.conn.execute(select(ch.placed_orders).where(ch.id > seen, ch.id <= upto).order_by(ch.id))
        for (placed,) in rows:
            if placed is None:
                return None
            refs += json.loads(placed)
        return refs

    def save(
        self, result: PlanResult, *, planned_on: date, inputs_seen: int, promises_digest: str | None = None
    ) -> None:
        """Make the stored plan `result`, planned from inputs up to change `inputs_seen`, whose
        promises have `promises_digest` (`planning.promise_digest`; None: not known).

        What this transaction wrote before (confirmed suggestions) is in the plan, so it does not
        count as a later change. Only the queue entries and suggestions that differ from the
        stored ones are written (`row_sync`).
        """
        conn, sp = self.conn, t.stored_plans.c
        # The row `inputs_seen` itself stays: SQLite numbers a new row after the highest one left.
        conn.execute(delete(t.plan_input_changes).where(t.plan_input_changes.c.id < inputs_seen))
        stamp = {
            "planned_on": planned_on,
            "planned_at": self.now,
            "inputs_seen": inputs_seen,
            "promises_digest": promises_digest,
            "kept_result": pack(result),
            "made_with": self.made_with,
        }
        ids = conn.execute(select(sp.id).order_by(sp.id)).scalars().all()
        before = self._stored_result(ids[0]) if len(ids) == 1 else None
        if not ids:
            plan_id = conn.execute(insert(t.stored_plans).values(stamp).returning(sp.id)).scalar_one()
        else:
            plan_id = ids[0]
            conn.execute(delete(t.stored_plans).where(sp.id != plan_id))
            conn.execute(update(t.stored_plans).where(sp.id == plan_id).values(stamp))
        if before is None:
            _sync_plan_rows(conn, plan_id, result)
        else:
            _sync_changed_plan_rows(conn, plan_id, before, result)
        self._read = (plan_id, result)
        for key in _NOTES:
            conn.info.pop(key, None)

    def _stored_result(self, plan_id: int) -> PlanResult | None:
        """The plan stored plan `plan_id`'s rows were written from (its kept result, as this
        transaction read it or read now); None when it is not kept."""
        if self._read is not None and self._read[0] == plan_id:
            return self._read[1]
        sp = t.stored_plans.c
        kept = self.conn.execute(select(sp.kept_result).where(sp.id == plan_id)).scalar()
        return None if kept is None else unpack(kept)

    def promises_digest(self, inputs_seen: int) -> str | None:
        """The digest of the stored plan's promises when nothing planning reads changed after it,
        up to change `inputs_seen` (read before this plan's snapshot); else None."""
        sp = t.stored_plans.c
        row = self.conn.execute(select(sp.inputs_seen, sp.promises_digest)).first()
        if row is None or row.inputs_seen < inputs_seen:
            return None
        return None if row.promises_digest is None else str(row.promises_digest)

    def last_promises(self) -> Sequence[Promise] | None:
        """The stored plan's promises, whatever changed since; None when no plan is kept."""
        sp = t.stored_plans.c
        row = self.conn.execute(select(sp.id, sp.kept_result)).first()
        if row is None or row.kept_result is None:
            return None
        # The whole plan is read, not only its promises: `save` then writes only the queue
        # entries and suggestions that differ from it.
        kept = unpack(row.kept_result)
        if kept is None:
            return None
        self._read = (row.id, kept)
        return kept.promises

    def kept_result(self, inputs_seen: int, *, planned_on: date) -> PlanResult | None:
        """The stored plan itself when it was planned on `planned_on` under these settings, and
        nothing planning reads changed after it: no change after `inputs_seen` (read before this
        call), nor any write to a plan input in this transaction; else None."""
        if self.conn.info.get(_WRITTEN):
            return None
        sp = t.stored_plans.c
        kept = self.conn.execute(
            select(sp.kept_result).where(
                sp.planned_on == planned_on,
                sp.inputs_seen >= inputs_seen,
                sp.made_with == self.made_with,
                sp.kept_result.is_not(None),
            )
        ).scalar()
        return None if kept is None else unpack(kept)

    def feasible_mos(self, refs: Collection[str]) -> dict[str, FeasibleDates] | None:
        """The stored plan's dates of the open MOs `refs` it dated (by ref; an MO opened since is
        not there); None when no plan is stored."""
        return stored_feasible_mos(self.conn, refs)


def plan_stamp(conn: Connection) -> PlanStamp | None:
    """The stored plan's date and whether it is out of date; None when no plan is stored."""
    sp, ch = t.stored_plans.c, t.plan_input_changes.c
    later = select(ch.id).where(ch.id > sp.inputs_seen).limit(1).exists()
    row = conn.execute(select(sp.planned_on, sp.planned_at, later.label("later"))).first()
    if row is None:
        return None
    return PlanStamp(row.planned_on, row.planned_at, bool(row.later))


def stored_feasible_mos(conn: Connection, refs: Collection[str]) -> dict[str, FeasibleDates] | None:
    """The stored plan's dates of the open MOs `refs` that it dated, by ref (out of date or not: see
    `plan_stamp`); None when no plan is stored."""
    if conn.execute(select(t.stored_plans.c.id)).first() is None:
        return None
    m = t.stored_plan_mos.c
    found: dict[str, FeasibleDates] = {}
    wanted = sorted(set(refs))
    for start in range(0, len(wanted), _REFS_AT_ONCE):
        for r in conn.execute(
            select(t.stored_plan_mos).where(m.ref.in_(wanted[start : start + _REFS_AT_ONCE]))
        ):
            found[r.ref] = FeasibleDates(r.ref, "", r.start_date, r.finish_date, r.late_because)
    return found


#: MO refs asked for in one query (SQLite allows 32,766 bound values; PostgreSQL 65,535).
_REFS_AT_ONCE = 10_000


def stored_plan(
    conn: Connection, *, queue_offset: int = 0, queue_limit: int | None = None
) -> StoredPlan | None:
    """The stored plan, its queue from entry `queue_offset` on (at most `queue_limit` of them);
    None when there is none."""
    stamp = plan_stamp(conn)
    if stamp is None:
        return None
    q, s = t.stored_plan_queue.c, t.stored_plan_suggestions.c
    # Ranks are sparse (`sparse_ranks`): entries are counted by their order, not by rank values.
    queue_query = select(t.stored_plan_queue).order_by(q.rank).offset(queue_offset)
    if queue_limit is not None:
        queue_query = queue_query.limit(queue_limit)
    queue = [
        QueueEntry(
            r.ref,
            configured_sku(r.sku, r.options),
            r.quantity,
            r.start_date,
            r.finish_date,
            tuple(json.loads(r.completes)),
            tuple(_missing(m) for m in json.loads(r.missing)),
        )
        for r in conn.execute(queue_query)
    ]
    purchases: list[PurchaseSuggestion] = []
    making: list[ProductionSuggestion] = []
    for r in conn.execute(select(t.stored_plan_suggestions).order_by(s.seq)):
        if r.kind == "buy":
            purchases.append(PurchaseSuggestion(r.supplier, r.sku, r.quantity, r.start_date, r.end_date))
        else:
            sku = configured_sku(r.sku, r.options)
            making.append(ProductionSuggestion(r.ref, sku, r.quantity, r.start_date, r.end_date))
    return StoredPlan(stamp, PlanResult((), purchases, making, queue))


def _sync_plan_rows(conn: Connection, plan_id: int, result: PlanResult) -> None:
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


def _sync_changed_plan_rows(conn: Connection, plan_id: int, before: PlanResult, result: PlanResult) -> None:
    """As `_sync_plan_rows`, when plan `plan_id`'s rows are known to be `before`'s: the rows and
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
    for some in sliced(gone, 1000):
        conn.execute(delete(q).where(q.c.plan_id == plan_id, q.c.rank.in_(some)))
    fresh = [_queue_row(plan_id, r, e) for r, e in zip(new_ranks, queue, strict=True) if r not in kept]
    if fresh:
        conn.execute(insert(q), fresh)


def _queue_value(e: QueueEntry) -> tuple[QueueEntry, tuple[str, ...]]:
    """A queue entry with the text its missing quantities are written as (equal Decimals may
    read differently: 1 and 1.0): equal values give equal rows."""
    return e, tuple(str(m.quantity) for m in e.missing)


def _suggestion_row(plan_id: int, s: PurchaseSuggestion | ProductionSuggestion) -> dict[str, Any]:
    return _purchase_row(plan_id, s) if isinstance(s, PurchaseSuggestion) else _making_row(plan_id, s)


def _queue_row(plan_id: int, rank: int, e: QueueEntry) -> dict[str, Any]:
    missing = [
        {"sku": m.sku, "quantity": str(m.quantity), "available_date": iso_day(m.available_date)}
        for m in e.missing
    ]
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
        "completes": json.dumps(list(e.completes)),
        "missing": json.dumps(missing),
    }


def _missing(m: dict[str, Any]) -> MissingMaterial:
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
