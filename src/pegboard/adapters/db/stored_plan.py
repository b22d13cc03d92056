"""The last plan kept in the database, and how we know it is out of date.

A plan run stores its production queue and suggestions (its promises go to `line_promises`), so
pages read them instead of planning on every visit. Every committed transaction that wrote a
table planning reads leaves a row in `plan_input_changes` (`plan_inputs.watch_plan_inputs`
notices the writes on the connection; the unit of work adds the row when it commits); a stored plan that
saw fewer such rows than there are now is out of date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.plan_inputs import forget_writes, noted_change, wrote_plan_input
from pegboard.adapters.db.planning.queries import driver_row, driver_value
from pegboard.adapters.db.row_sync import write_changes
from pegboard.adapters.db.stored_plan_rows import (
    PlanRows,
    changed_plan_rows,
    insert_plan_rows,
    missing_material,
    plan_rows,
    queue_ranks,
    sync_plan_rows,
)
from pegboard.planning.configurations import configured_sku
from pegboard.planning.kept_plan import pack, unpack
from pegboard.planning.net_change import RankKey, rank_key
from pegboard.planning.result import (
    FeasibleDates,
    PlanResult,
    ProductionSuggestion,
    Promise,
    PurchaseSuggestion,
    QueueEntry,
)

#: The row a transaction that wrote a plan input adds at commit: built once, as every order taken adds one.
_NOTE_CHANGE = insert(t.plan_input_changes)


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
        #: A plan being packed ahead of its save (`pack_beside`), its bytes to come, and its rows
        #: to come when `save` is to write every one.
        self._packing: tuple[PlanResult, Future[bytes], Future[PlanRows] | None] | None = None

    def begin(self) -> None:
        """Forget writes noticed on this pooled connection before this transaction."""
        forget_writes(self.conn)

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
        written, placed = noted_change(self.conn)
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
        self,
        result: PlanResult,
        *,
        planned_on: date,
        inputs_seen: int,
        promises_digest: str | None = None,
        plain_demand: bool = False,
        beside: Callable[[], object] | None = None,
    ) -> None:
        """Make the stored plan `result`, planned from inputs up to change `inputs_seen`, whose
        promises have `promises_digest` (`planning.promise_digest`; None: not known);
        `plain_demand`: its snapshot had no preorder, configured line or ship-complete order.

        What this transaction wrote before (confirmed suggestions) is in the plan, so it does not
        count as a later change. Only the queue entries and suggestions that differ from the
        stored ones are written (`row_sync`); a first plan writes them all. `beside` is called
        once, before any row is written, on this thread and its connection (the unit of work's
        events, `UnitOfWork.write_events`): when the stored rows are known from the kept plan,
        while another thread works out which rows to write (`changed_plan_rows`).
        """
        conn, sp = self.conn, t.stored_plans.c

        def _stamp(kept_result: bytes | None) -> dict[str, object]:
            return {
                "planned_on": planned_on,
                "planned_at": self.now,
                "inputs_seen": inputs_seen,
                "promises_digest": promises_digest,
                "kept_result": kept_result,
                "made_with": self.made_with,
                "plain_demand": plain_demand,
            }

        # The kept result is packed beside the rows' sync: its deflating lets go of the
        # interpreter (half of `pack` at L), and the sync waits on the server meanwhile; or it
        # was started earlier, while the promises' store waited on the server (`pack_beside`),
        # with the rows when every one is written.
        ahead, self._packing = self._packing, None
        if ahead is not None and ahead[0] is not result:
            ahead = None
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pack-plan") as packing:
            packed = ahead[1] if ahead is not None else packing.submit(self._pack, result)
            # The row `inputs_seen` itself stays: SQLite numbers a new row after the highest one left.
            conn.execute(delete(t.plan_input_changes).where(t.plan_input_changes.c.id < inputs_seen))
            ids = conn.execute(select(sp.id).order_by(sp.id)).scalars().all()
            before = self._stored_result(ids[0]) if len(ids) == 1 else None
            changing = None
            if before is not None:
                # The rows to write are worked out in the interpreter while the server takes what
                # `beside` sends (at L's next day, 611k events against 62k queue entries' and 90k
                # suggestions' rows), where the one waited for the other before.
                ranks = queue_ranks(conn, ids[0])
                changing = packing.submit(changed_plan_rows, ids[0], ranks, before, result)
            if beside is not None:
                beside()
            made = ahead[2] if ahead is not None and ahead[2] is not None and before is None else None
            rows = None if made is None else made.result()
            if not ids:  # a new plan row, then its rows: no row of it to compare with
                plan_id = conn.execute(
                    insert(t.stored_plans).values(_stamp(None)).returning(sp.id)
                ).scalar_one()
                insert_plan_rows(conn, plan_id, result, rows)
                conn.execute(
                    update(t.stored_plans).where(sp.id == plan_id).values(kept_result=packed.result())
                )
            else:
                plan_id = ids[0]
                conn.execute(delete(t.stored_plans).where(sp.id != plan_id))
                if changing is None:
                    sync_plan_rows(conn, plan_id, result, rows)
                else:
                    for changes in changing.result():
                        write_changes(conn, changes)
                conn.execute(update(t.stored_plans).where(sp.id == plan_id).values(_stamp(packed.result())))
        self._read = (plan_id, result)
        forget_writes(conn)

    def pack_beside(self, result: PlanResult) -> None:
        """Start packing `result` in a thread of its own, and, when this transaction read no
        stored plan (a first plan: `save` writes every row), making its rows in another; `save`
        of this very result takes them (any other result is packed and written by `save` as
        before)."""
        making = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pack-plan-ahead")
        try:
            packed = making.submit(self._pack, result)
            rows = making.submit(plan_rows, result) if self._read is None else None
            self._packing = (result, packed, rows)
        finally:
            making.shutdown(wait=False)

    def _pack(self, result: PlanResult) -> bytes:
        """The kept bytes of `result`; the plan this transaction read back lends its coded order
        refs and SKUs (`pack`)."""
        return pack(result, like=None if self._read is None else self._read[1])

    def _stored_result(self, plan_id: int) -> PlanResult | None:
        """The plan stored plan `plan_id`'s rows were written from (its kept result, as this
        transaction read it or read now); None when it is not kept."""
        if self._read is not None and self._read[0] == plan_id:
            return self._read[1]
        sp = t.stored_plans.c
        kept = driver_value(self.conn, select(sp.kept_result).where(sp.id == plan_id))
        return None if kept is None else unpack(kept)

    def promises_digest(self, inputs_seen: int) -> str | None:
        """The digest of the stored plan's promises when nothing planning reads changed after it,
        up to change `inputs_seen` (read before this plan's snapshot); else None."""
        sp = t.stored_plans.c
        row = self.conn.execute(select(sp.inputs_seen, sp.promises_digest)).first()
        if row is None or row.inputs_seen < inputs_seen:
            return None
        return None if row.promises_digest is None else str(row.promises_digest)

    def planned_on(self) -> date | None:
        """The day the stored plan was planned on (None: no plan stored)."""
        sp = t.stored_plans.c
        return self.conn.execute(select(sp.planned_on).order_by(sp.id).limit(1)).scalar()

    def last_promises(self) -> Sequence[Promise] | None:
        """The stored plan's promises, whatever changed since; None when no plan is kept."""
        if self._read is not None:  # read already in this transaction (`placed_since_plan`, `save`)
            return self._read[1].promises
        sp = t.stored_plans.c
        # In the driver's binary format on PostgreSQL, not as hex text (`driver_value`).
        row = driver_row(self.conn, select(sp.id, sp.kept_result))
        if row is None or row[1] is None:
            return None
        plan_id, data = row
        # The whole plan is read, not only its promises: `save` then writes only the queue
        # entries and suggestions that differ from it.
        kept = unpack(data)
        if kept is None:
            return None
        self._read = (plan_id, kept)
        return kept.promises

    def kept_result(
        self, inputs_seen: int, *, planned_on: date, plain_demand: bool = False
    ) -> PlanResult | None:
        """The stored plan itself when it was planned on `planned_on` under these settings, and
        nothing planning reads changed after it: no change after `inputs_seen` (read before this
        call), nor any write to a plan input in this transaction; with `plain_demand`, only a plan
        of plain demand (`save`); else None."""
        if wrote_plan_input(self.conn):
            return None
        sp = t.stored_plans.c
        kept = driver_value(
            self.conn,
            select(sp.kept_result).where(
                sp.planned_on == planned_on,
                sp.inputs_seen >= inputs_seen,
                sp.made_with == self.made_with,
                sp.kept_result.is_not(None),
                *([sp.plain_demand] if plain_demand else []),
            ),
        )
        return None if kept is None else unpack(kept)

    def placed_since_plan(self, *, planned_on: date, upto: int) -> tuple[list[str], PlanResult] | None:
        """The refs of the orders placed since the stored plan, up to change `upto`, and that plan,
        when it was planned on `planned_on` under these settings from plain demand (`save`) and
        placing orders is all that changed since (`placed_since`); None otherwise, or when this
        transaction wrote a plan input. The plan is kept as the one `save` then writes rows against."""
        if wrote_plan_input(self.conn):
            return None
        sp = t.stored_plans.c
        row = self.conn.execute(
            select(sp.id, sp.inputs_seen).where(
                sp.planned_on == planned_on,
                sp.made_with == self.made_with,
                sp.plain_demand,
                sp.kept_result.is_not(None),
            )
        ).first()
        placed = None if row is None else self.placed_since(int(row.inputs_seen), upto)
        if row is None or not placed:
            return None
        data = driver_value(self.conn, select(sp.kept_result).where(sp.id == row.id))
        kept = None if data is None else unpack(data)
        if kept is None:
            return None
        self._read = (row.id, kept)
        return placed, kept

    def order_skus(self, order_refs: Collection[str]) -> set[str]:
        """The SKUs of the lines of these orders."""
        so, ol, it = t.sales_orders.c, t.order_lines.c, t.items.c
        query = (
            select(it.sku)
            .distinct()
            .select_from(t.order_lines)
            .join(t.sales_orders, so.id == ol.order_id)
            .join(t.items, it.id == ol.item_id)
            .where(so.order_ref.in_(sorted(set(order_refs))))
        )
        return set(self.conn.execute(query).scalars())

    def line_rank(self, line_id: int) -> RankKey | None:
        """Where an order line ranks among backorders (`planning.net_change.rank_key`, with the
        order's id as its sequence, as the snapshot reads it); None when there is no such line."""
        so, ol = t.sales_orders.c, t.order_lines.c
        row = self.conn.execute(
            select(so.priority, so.ordered_at, so.order_ref, so.id, ol.line_no)
            .select_from(t.order_lines)
            .join(t.sales_orders, so.id == ol.order_id)
            .where(ol.id == line_id)
        ).first()
        return None if row is None else rank_key(*row)

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
            tuple(missing_material(m) for m in json.loads(r.missing)),
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
