"""The promises stored after a plan: read back by line, written in bulk (COPY on PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any, cast

import numpy as np
from more_itertools import sliced
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Date,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.copying import CHUNK, Blocks, copy_binary
from pegboard.adapters.db.planning.line_columns import SEPARATOR, int64s, packed_column
from pegboard.adapters.db.planning.queries import driver_row, driver_rows, local_settings
from pegboard.adapters.db.repositories.item_cache import TransactionItemCache
from pegboard.adapters.db.slices import among
from pegboard.planning.arrays import NONE
from pegboard.planning.line_changes import StoredLines
from pegboard.planning.promises import LinePromise, LinePromises, PartsByPart, StoredPromise
from pegboard.planning.segments import Ints


class PromiseStore:
    """Keeps the promises a plan gives, and reads them back. A promise row names its parts by
    `parts_key`; each distinct parts text is kept once in `promise_parts` (migration 0040: at L
    169,205 texts for 792,670 promises, where a text per row was 211 of its 388 bytes), and
    `line_promises.parts` is no longer written (NULL): readers join `promise_parts` on the key."""

    conn: Connection
    #: The transaction's SKU-to-item-id cache: a new promise row carries its line's item.
    item_cache: TransactionItemCache
    #: Every item's SKU by id, when a whole snapshot read them in this transaction.

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]:
        """The promise last given for every line that has one (of these orders, when named)."""
        lp, ol, so = t.line_promises, t.order_lines, t.sales_orders
        query = (
            select(so.c.order_ref, ol.c.line_no, lp.c.promised_date, lp.c.reason, lp.c.basis, lp.c.first_date)
            .join(ol, ol.c.id == lp.c.line_id)
            .join(so, so.c.id == ol.c.order_id)
        )
        refs = None if order_refs is None else sorted(set(order_refs))
        wanted: set[str] | None = None
        if refs is not None and self.conn.dialect.name == "postgresql":
            # One array parameter however many orders: their rows are found by the order ref's
            # index instead of joining every stored promise (the held lines of a full plan).
            query = query.where(so.c.order_ref == any_(bindparam("refs", refs, type_=ARRAY(String))))
        elif refs is not None and len(refs) <= 2000:
            query = query.where(so.c.order_ref.in_(refs))
        elif refs is not None:
            # Many orders: one pass over the table beats thousands of IN-list probes.
            wanted = set(refs)
        found: dict[tuple[str, int], StoredPromise] = {}
        for order_ref, line_no, promised, reason, basis, first in self.conn.execute(query).all():
            if wanted is None or order_ref in wanted:
                found[order_ref, line_no] = StoredPromise(promised, reason, basis, first)
        return found

    def stored_line_promises(self, line_ids: Collection[int]) -> dict[int, StoredPromise]:
        """The promise last given for each of these order lines that has one, by line id."""
        lp = t.line_promises.c
        query = select(lp.line_id, lp.promised_date, lp.reason, lp.basis, lp.first_date)
        found: dict[int, StoredPromise] = {}
        if len(line_ids) > 20_000:
            # A full plan: one pass over the table beats a hundred thousand key probes.
            # The driver's own tuples: no SQLAlchemy row for each of a million promises.
            wanted = set(line_ids)
            for line_id, promised, reason, basis, first in driver_rows(self.conn, query):
                if line_id in wanted:
                    found[line_id] = StoredPromise(promised, reason, basis, first)
            return found
        for condition in self._among_lines(line_ids):
            for line_id, promised, reason, basis, first in self.conn.execute(query.where(condition)).all():
                found[line_id] = StoredPromise(promised, reason, basis, first)
        return found

    def stored_line_columns(self, line_ids: Collection[int]) -> StoredLines:
        """The promise last given for each of these lines that has one, as columns; for a full
        plan on PostgreSQL, every stored promise (others may come too) in one row of arrays."""
        if len(line_ids) > WHOLE and self.conn.dialect.name == "postgresql":
            packed = self._packed_promises()
            if packed is not None:
                return packed
        return StoredLines.of(self.stored_line_promises(line_ids))

    def every_stored_line(self) -> StoredLines | None:
        """Every stored promise as columns in one read (PostgreSQL, as `stored_line_columns` reads
        a whole plan's); None on SQLite, or when a text holds the separator."""
        return self._packed_promises() if self.conn.dialect.name == "postgresql" else None

    def _packed_promises(self) -> StoredLines | None:
        """Every stored promise as columns, read as one row: ids and day numbers as packed BIGINT
        arrays, reasons and bases as one text each (a million rows read as tuples cost the driver
        a tuple and five values each). None when a text holds the separator: read rows then."""
        lp = t.line_promises.c
        row = driver_row(
            self.conn,
            select(
                packed_column(lp.line_id),
                packed_column(_day_number(lp.promised_date)),
                func.string_agg(lp.reason, SEPARATOR),
                func.string_agg(lp.basis, SEPARATOR),
                packed_column(_day_number(lp.first_date)),
            ),
        )
        if row is None or row[0] is None:
            return StoredLines.of({})
        ids, days, first_days = int64s(row[0]), int64s(row[1]), int64s(row[4])
        reasons, bases = str(row[2]).split(SEPARATOR), str(row[3]).split(SEPARATOR)
        if not len(reasons) == len(bases) == len(ids):
            return None
        return StoredLines.unsorted(ids=ids, days=days, reasons=reasons, bases=bases, first_days=first_days)

    def _among_lines(self, line_ids: Collection[int]) -> Iterator[ColumnElement[bool]]:
        """Conditions picking these line ids (`slices.among`: one array on PostgreSQL, however many)."""
        return among(self.conn, t.line_promises.c.line_id, sorted(set(line_ids)))

    def promised_since_plan(self) -> set[int]:
        """The lines whose promise a re-promise wrote since the last whole plan run (marked)."""
        lp = t.line_promises.c
        return set(self.conn.execute(select(lp.line_id).where(lp.since_plan)).scalars())

    def settle_since_plan(self, marked: Collection[int], plan: Mapping[int, tuple[date | None, str]]) -> None:
        """Unmark these marked lines: those the plan promises where their stored promise is the
        plan's (date and reason), any other at once. A line re-promised meanwhile to another
        promise stays marked."""
        lp = t.line_promises.c
        gone = [i for i in marked if i not in plan]
        for condition in self._among_lines(gone):
            self.conn.execute(update(t.line_promises).where(condition).values(since_plan=False))
        same = [{"b_id": i, "b_date": plan[i][0], "b_reason": plan[i][1][:500]} for i in marked if i in plan]
        if same:
            self.conn.execute(
                update(t.line_promises)
                .where(
                    lp.line_id == bindparam("b_id"),
                    lp.promised_date.is_not_distinct_from(bindparam("b_date")),
                    lp.reason == bindparam("b_reason"),
                )
                .values(since_plan=False),
                same,
            )

    def save_promises(
        self,
        promises: Iterable[LinePromise],
        *,
        on: date,
        whole_plan: bool = False,
        stored: Sequence[bool] | None = None,
        sent: Callable[[], object] | None = None,
        begun: Callable[[], object] | None = None,
    ) -> None:
        """Write each line's new promise; the first dated promise is kept as it was. Unless they
        come from a whole plan run, the lines are marked as promised since the plan. `stored`
        says for each promise whether its line has one stored already, as this transaction has
        just read (None: they are read here). `sent` is called when the promises are all sent
        by COPY and the server still works on them (checks, the index built after, the UPDATE
        from the scratch table), not at all when they are few. `begun` is called once the first
        block of many promises is handed to the server (COPY), else when their statement is
        sent; not at all when there is none."""
        wanted = _PromiseRows.of(promises)
        if not wanted.line_ids:
            return
        line_ids = self._line_ids(wanted)
        if stored is None:
            existing = self._promised_lines(line_ids)
            stored = [i in existing for i in line_ids]
        begun = _once(begun)
        self._write(wanted, line_ids, stored, on, _once(sent), begun)
        begun()
        if not whole_plan:
            for condition in self._among_lines(line_ids):
                self.conn.execute(update(t.line_promises).where(condition).values(since_plan=True))

    def _write(
        self,
        wanted: _PromiseRows,
        line_ids: list[int],
        stored: Sequence[bool],
        on: date,
        sent: Callable[[], object],
        begun: Callable[[], object],
    ) -> None:
        # In line id order: the primary key's index is written in order instead of jumping about.
        order = np.argsort(np.asarray(line_ids, dtype=np.int64), kind="stable")
        is_stored = np.asarray(stored, dtype=bool)[order]
        new: list[int] = order[~is_stored].tolist()
        changed: list[int] = order[is_stored].tolist()
        parts_keys = _PartsKeys()

        def columns(ks: list[int]) -> list[Sequence[Any]]:
            """The CHANGED_COLUMNS of promises `ks` (their parts by key: `parts_keys` keeps the texts)."""
            pick = _picker(ks)
            return [
                pick(line_ids),
                pick(wanted.dates),
                _cut(pick(wanted.reasons), 500),
                _cut(pick(wanted.bases), 100),
                parts_keys(wanted.parts(ks)),
                [on] * len(ks),
            ]

        postgres = self.conn.dialect.name == "postgresql"
        if new:
            # A new row carries its line's item (a line keeps its item, so a changed row keeps it too).
            skus = wanted.skus
            item_ids = self._item_ids(set(skus) if len(new) == len(skus) else {skus[k] for k in new})

            def new_rows(ks: list[int]) -> list[Sequence[Any]]:
                """The NEW_COLUMNS of new promises `ks`: the first promise is this one."""
                row = columns(ks)
                return [*row, row[1], row[5], list(map(item_ids.__getitem__, _picker(ks)(wanted.skus)))]

            loaded_alone = False
            if postgres and len(new) > BULK:
                # A block at a time: each block's columns are picked while the server inserts the last.
                rows = map(new_rows, sliced(new, CHUNK))
                with _indexes_built_after(self.conn, loading=len(new) if not changed else 0) as loaded_alone:
                    # The last block made, the server still inserts, checks and indexes them.
                    copy_binary(
                        self.conn,
                        t.line_promises,
                        NEW_COLUMNS,
                        _then(rows, sent if not changed else None, begun=begun),
                    )
            else:
                rows_made = _dicts(NEW_COLUMNS, new_rows(new))
                begun()  # the statement's rows go to the server at once
                self.conn.execute(insert(t.line_promises), rows_made)
            if not changed:
                self._save_parts(parts_keys.met(), first=loaded_alone)
                return
        if changed:
            if postgres and len(changed) > BULK:
                # A block at a time, as new promises: each block's columns (its parts' texts and
                # keys most of all) are made while the server takes the last into the scratch table.
                # Their parts are all keyed once the last block is made: then a side connection
                # writes them while the server takes the promises into the scratch table and
                # updates them. Not for new promises: a first plan's parts written beside its COPY
                # took the cores from the server's index build, and the command was slower
                # (BENCHMARKS.md, parts6); they are copied in after, as before.
                with _parts_beside(self.conn, parts_keys.met) as beside:
                    blocks = _then(map(columns, sliced(changed, CHUNK)), beside.hand, begun=begun)
                    self._update_by_copy(blocks, sent)
                    written = beside.done()
                if not written:
                    self._save_parts(parts_keys.met())
                return
            changed_rows = columns(changed)
            begun()
            lp = t.line_promises.c
            self.conn.execute(
                update(t.line_promises)
                .where(lp.line_id == bindparam("b_line_id"))
                .values(
                    promised_date=bindparam("b_promised_date"),
                    reason=bindparam("b_reason"),
                    basis=bindparam("b_basis"),
                    parts_key=bindparam("b_parts_key"),
                    promised_on=bindparam("b_promised_on"),
                    # The first dated promise stays as it was; an open term gives way to a date.
                    first_date=func.coalesce(lp.first_date, bindparam("b_promised_date")),
                ),
                _dicts(tuple(f"b_{k}" for k in CHANGED_COLUMNS), changed_rows),
            )
            self._save_parts(parts_keys.met())

    def _save_parts(self, parts: Mapping[int, str], *, first: bool = False) -> None:
        """Each distinct parts of the promises written, kept once in `promise_parts` by its key:
        those it lacks are added (a first plan at L: 169,205 texts for 792,670 promises), in key
        order (two stores adding the same keys wait for each other, never deadlock).

        On PostgreSQL the table is locked against housekeeping first (ROW EXCLUSIVE, which writers
        share and `forget_unused_parts`' SHARE ROW EXCLUSIVE waits for), so a part found here stays
        until the promises naming it are committed; a part another transaction adds meanwhile is
        skipped (`ON CONFLICT DO NOTHING`, from a scratch table when many). `first`: the promises
        were loaded into an empty `line_promises` this transaction holds alone (a first plan):
        then the parts are locked against every other writer too, if at once, and the missing
        ones copied straight in (at L 0.3 to 0.4 s of the server's CPU against 0.6 to 1.4 s).
        Many changed promises have their parts written by a side connection instead
        (`_PartsBeside`); this is what the plan does when the side could not."""
        if not parts:
            return
        postgres = self.conn.dialect.name == "postgresql"
        alone = postgres and first and _locked_alone(self.conn, "promise_parts", "SHARE ROW EXCLUSIVE")
        if postgres and not alone:
            self.conn.exec_driver_sql("LOCK TABLE promise_parts IN ROW EXCLUSIVE MODE")
        present = self._present_parts(parts.keys())
        missing = sorted(parts.keys() - present) if present else sorted(parts)
        if not missing:
            return
        if postgres and len(missing) > BULK:
            texts = list(map(parts.__getitem__, missing))
            if alone:
                copy_binary(self.conn, t.promise_parts, ("parts_key", "parts"), [[missing, texts]])
                return
            self.conn.exec_driver_sql(
                "CREATE TEMPORARY TABLE new_promise_parts (parts_key bigint, parts text) ON COMMIT DROP"
            )
            copy_binary(self.conn, _NEW_PARTS, ("parts_key", "parts"), [[missing, texts]])
            # In the order copied, the key order: sorting them again here cost the server a second.
            self.conn.exec_driver_sql(
                "INSERT INTO promise_parts (parts_key, parts) SELECT parts_key, parts FROM new_promise_parts "
                "ON CONFLICT (parts_key) DO NOTHING"
            )
            self.conn.exec_driver_sql("DROP TABLE new_promise_parts")
            return
        rows = [{"parts_key": k, "parts": parts[k]} for k in missing]
        for some in sliced(rows, 1000):
            self.conn.execute(_insert_new_parts(postgres), list(some))

    def _present_parts(self, keys: Collection[int]) -> set[int]:
        """Which of these parts keys `promise_parts` holds already."""
        pp = t.promise_parts.c
        if len(keys) > BULK:
            # Many (a whole plan): every key read once beats huge IN lists.
            return {k for (k,) in driver_rows(self.conn, select(pp.parts_key))} & set(keys)
        found: set[int] = set()
        for some in sliced(sorted(keys), 1000):
            found.update(self.conn.execute(select(pp.parts_key).where(pp.parts_key.in_(some))).scalars())
        return found

    def _item_ids(self, skus: set[str]) -> dict[str, int]:
        """Each SKU's item id: from the transaction's cache, the others in one read of ids alone
        (a whole plan's lines name most items; their sale terms are not needed here)."""
        known = self.item_cache.ids
        found = {sku: known[sku] for sku in skus if sku in known}
        unread = sorted(skus - found.keys())
        if len(unread) <= BULK:
            return found | (self.item_cache.resolve(unread) if unread else {})
        it = t.items.c
        for sku, item_id in driver_rows(self.conn, select(it.sku, it.id)):
            if sku in skus:
                found[sku] = item_id
        missing = skus - found.keys()
        if missing:
            return found | self.item_cache.resolve(missing)  # raises UnknownSku
        return found

    def _line_ids(self, promises: _PromiseRows) -> list[int]:
        """Each promise's order line id: carried from the snapshot, else looked up by order and line."""
        so, ol = t.sales_orders, t.order_lines
        ids, order_refs, line_nos = promises.line_ids, promises.order_refs, promises.line_nos
        if None not in ids:  # a whole plan's lines carry their ids: one scan in C
            return cast(list[int], ids)
        refs = sorted({order_refs[k] for k, i in enumerate(ids) if i is None})
        if not refs:
            return cast(list[int], ids)
        looked_up: dict[tuple[str, int], int] = {}
        for some in sliced(refs, 1000):
            for r in self.conn.execute(
                select(so.c.order_ref, ol.c.line_no, ol.c.id)
                .join(so, so.c.id == ol.c.order_id)
                .where(so.c.order_ref.in_(some))
            ):
                looked_up[r.order_ref, r.line_no] = r.id
        return [
            i if i is not None else looked_up[r, n] for i, r, n in zip(ids, order_refs, line_nos, strict=True)
        ]

    def _promised_lines(self, line_ids: list[int]) -> set[int]:
        """Which of these lines already have a stored promise."""
        lp = t.line_promises.c
        if len(line_ids) > BULK:
            # Many lines (a full plan): reading every id once beats huge IN lists.
            return {i for (i,) in driver_rows(self.conn, select(lp.line_id))} & set(line_ids)
        found: set[int] = set()
        for condition in self._among_lines(line_ids):
            found.update(self.conn.execute(select(lp.line_id).where(condition)).scalars())
        return found

    def _update_by_copy(self, rows: Blocks, sent: Callable[[], object]) -> None:
        """Many changed promises at once (a block at a time, each as columns): COPY them into a scratch table,
        then one UPDATE. The cheapest way measured for the server even when nearly every row
        changes (L, 790,412 of 792,670 after confirming, backend CPU): this 3.3 to 3.8 s (the
        scratch COPY 0.9 of it, the UPDATE 2.4, its updates already HOT); an UPDATE from binary
        arrays (`unnest`) 5.4 to 6.3 s; DELETE and COPY again 12.3 s and several times the WAL
        (the statement triggers keep every deleted and inserted row); BENCHMARKS.md, confirmall2."""
        self.conn.exec_driver_sql(
            "CREATE TEMPORARY TABLE promise_updates (line_id bigint PRIMARY KEY, promised_date date, "
            "reason text, basis text, parts_key bigint, promised_on date) ON COMMIT DROP"
        )
        # In COPY's binary form: the server takes the line ids, keys and dates as they come.
        copy_binary(self.conn, _UPDATES, CHANGED_COLUMNS, rows)
        sent()  # the UPDATE is the server's alone
        # The rows are updated in line id order, the order they lie in (a whole plan writes them
        # so): each page is read and written once. The planner's choice, a hash join of the
        # scratch table, spills batches when the rows outgrow work_mem and then returns them
        # scattered over the table. At L (598k rows) that wrote about seven pages for every page of
        # the table and 0.8 to 1.6 GB of WAL; in order it writes each page once and 0.4 GB.
        with local_settings(self.conn, enable_hashjoin="off"):
            self.conn.exec_driver_sql(
                "UPDATE line_promises AS lp SET promised_date = u.promised_date, reason = u.reason, "
                "basis = u.basis, parts_key = u.parts_key, promised_on = u.promised_on, "
                "first_date = COALESCE(lp.first_date, u.promised_date) "
                "FROM promise_updates AS u WHERE lp.line_id = u.line_id"
            )
        self.conn.exec_driver_sql("DROP TABLE promise_updates")


class _PartsBeside:
    """The distinct parts of many changed promises, written and committed on a side connection
    while the plan's own backend takes the promises (the scratch table's COPY, the UPDATE): at L
    107k texts a nothing-confirmed morning, about 1 s the store no longer waits for after its
    UPDATE (BENCHMARKS.md, parts6).

    Safe because a part is named by its text's hash: committed by another transaction, it is
    harmless if the plan then rolls back (no promise names it; housekeeping forgets it). The
    plan's transaction has locked `promise_parts` ROW EXCLUSIVE before (`_parts_beside`), so
    housekeeping's delete (SHARE ROW EXCLUSIVE) waits until the promises naming them commit.
    The side never waits for a lock: PostgreSQL queues a request behind an earlier waiting one it
    conflicts with, so a housekeeping run waiting for its lock would hold the side back while the
    plan waits for the side in Python, a deadlock the server cannot see. So its table lock is
    taken NOWAIT and any other wait (a key another transaction is adding) ends at `lock_timeout`:
    then nothing of the side's stays and the plan writes the parts itself (`done` is False)."""

    def __init__(self, conn: Connection, parts: Callable[[], Mapping[int, str]]) -> None:
        self.engine, self.parts = conn.engine, parts
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parts-beside")
        self.writing: Future[bool] | None = None

    def hand(self) -> None:
        """Every part is keyed (the last block made): the side starts writing them."""
        self.writing = self.pool.submit(_written_beside, self.engine, self.parts)

    def done(self) -> bool:
        """Whether the side wrote and committed every part (waits for it); False when never handed."""
        return self.writing is not None and self.writing.result()


@contextmanager
def _parts_beside(conn: Connection, parts: Callable[[], Mapping[int, str]]) -> Iterator[_PartsBeside]:
    """A side writer of the parts, the plan's transaction holding ROW EXCLUSIVE on
    `promise_parts` from now on; the side's thread is ended on leaving."""
    conn.exec_driver_sql("LOCK TABLE promise_parts IN ROW EXCLUSIVE MODE")
    beside = _PartsBeside(conn, parts)
    try:
        yield beside
    finally:
        beside.pool.shutdown()


#: The longest the side connection waits for a row lock (a key another transaction is adding).
SIDE_LOCK_TIMEOUT = "100ms"


def _written_beside(engine: Engine, parts: Callable[[], Mapping[int, str]]) -> bool:
    """The parts `promise_parts` lacks, copied straight in and committed on a connection of
    their own (the table locked NOWAIT, found present under it): False, nothing written, when
    a lock could not be had at once or another transaction added one of the keys meanwhile."""
    from psycopg import Error  # PostgreSQL only: COPY raises the driver's own errors

    found = parts()
    if not found:
        return True
    try:  # a connection refused too (the server's limit reached): the plan writes them
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{SIDE_LOCK_TIMEOUT}'")
            conn.exec_driver_sql("LOCK TABLE promise_parts IN ROW EXCLUSIVE MODE NOWAIT")
            keys = np.fromiter(found, dtype=np.int64, count=len(found))
            row = driver_row(conn, select(packed_column(t.promise_parts.c.parts_key)))
            if row is not None and row[0] is not None:
                keys = keys[~np.isin(keys, int64s(row[0]))]
            # In key order: the key's index is written in order.
            missing: list[int] = np.sort(keys).tolist()
            if missing:
                texts = list(map(found.__getitem__, missing))
                copy_binary(conn, t.promise_parts, ("parts_key", "parts"), [[missing, texts]])
    except (DBAPIError, Error):
        return False
    return True


#: Above this many rows, PostgreSQL gets COPY and scans instead of statements per batch.
BULK = 2000
#: Above this many lines, PostgreSQL reads every stored promise as columns (`stored_line_columns`).
WHOLE = 20_000

#: From this many new promises into an empty table (a first plan), PostgreSQL builds the table's
#: secondary index once after the rows instead of entry by entry (`_indexes_built_after`).
LOAD = 100_000


@contextmanager
def _indexes_built_after(conn: Connection, *, loading: int) -> Iterator[bool]:
    """Rows loaded inside: when they are `LOAD` or more into an empty `line_promises`, its
    indexes but the primary key and the partial ones are dropped before and made again after,
    from their own definitions (at L's first plan, 792,670 rows: the item index entered row by
    row cost the server 1.6 s of 4.7; built once after, 0.4 s).

    Dropping an index locks the table against readers until the transaction ends, so only when
    nobody holds a lock on it (`NOWAIT`: the plan never waits for a reader, nor deadlocks with
    one) and it holds no row: a first plan, whose readers would find no promise yet. Otherwise,
    or if the database refuses (a role that does not own the table), the rows go in as they are.
    Yields whether the table was empty and is this transaction's alone (its indexes dropped)."""
    definitions = _dropped_for_load(conn) if loading >= LOAD else None
    yield definitions is not None
    for definition in definitions or []:
        conn.exec_driver_sql(definition)


def _locked_alone(conn: Connection, table: str, mode: str) -> bool:
    """Whether `table` is now locked in `mode` by this transaction: False, and nothing locked,
    when another holds a lock in the way (never waited for) or the database refuses."""
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"LOCK TABLE {table} IN {mode} MODE NOWAIT")
    except DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _dropped_for_load(conn: Connection) -> list[str] | None:
    """The definitions of the indexes of an empty `line_promises` dropped for a load (None when
    the table is locked by another, holds a row, or the database refuses)."""
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql("LOCK TABLE line_promises IN ACCESS EXCLUSIVE MODE NOWAIT")
        if conn.execute(select(t.line_promises.c.line_id).limit(1)).first() is not None:
            savepoint.rollback()
            return None
        found = conn.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
            "WHERE i.indrelid = 'line_promises'::regclass AND NOT i.indisprimary AND i.indpred IS NULL "
            "ORDER BY 1"
        ).all()
        for name, _ in found:
            conn.exec_driver_sql(f"DROP INDEX {name}")
    except DBAPIError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return [definition for _, definition in found]


CHANGED_COLUMNS = ("line_id", "promised_date", "reason", "basis", "parts_key", "promised_on")
NEW_COLUMNS = (*CHANGED_COLUMNS, "first_date", "first_promised_on", "item_id")
#: The scratch table of `_update_by_copy` (a temporary table: its column types, for binary COPY).
_UPDATES = Table(
    "promise_updates",
    MetaData(),
    Column("line_id", BigInteger),
    Column("promised_date", Date),
    Column("reason", Text),
    Column("basis", Text),
    Column("parts_key", BigInteger),
    Column("promised_on", Date),
)
#: The scratch table of `_save_parts`: the parts new to `promise_parts`.
_NEW_PARTS = Table("new_promise_parts", MetaData(), Column("parts_key", BigInteger), Column("parts", Text))


def _insert_new_parts(postgres: bool) -> Insert:
    """INSERT into `promise_parts` skipping a key already there (another transaction's meanwhile)."""
    if postgres:
        return postgresql.insert(t.promise_parts).on_conflict_do_nothing(index_elements=["parts_key"])
    return sqlite.insert(t.promise_parts).on_conflict_do_nothing(index_elements=["parts_key"])


def _day_number(column: ColumnElement[date | None]) -> ColumnElement[int]:
    """A date column as the planner's day numbers (`date.toordinal()`), NONE for none."""
    return func.coalesce(column - literal(date(1, 1, 1), Date) + 1, NONE)


def parts_key(parts: str) -> int:
    """The key `line_promises.parts_key` keeps for a promise's parts (as stored): the first 8 bytes
    of their MD5, a signed 64-bit integer; migration 0030 computes the same in SQL."""
    return int.from_bytes(hashlib.md5(parts.encode()).digest()[:8], "big", signed=True)


class _PartsEncoder:
    """`json.dumps(parts, sort_keys=True)` for the parts `planning.promises` makes (quantity, date,
    reason, basis, stated_date), each distinct part encoded once; anything else goes through
    json.dumps."""

    def __init__(self) -> None:
        self.encoded: dict[tuple[Any, ...], str] = {}

    def __call__(self, parts: list[dict[str, Any]]) -> str:
        encoded = []
        for part in parts:
            if len(part) != 5:
                return json.dumps(parts, sort_keys=True, default=str)
            try:
                quantity, day, reason, basis = part["quantity"], part["date"], part["reason"], part["basis"]
                stated = part["stated_date"]
            except KeyError:
                return json.dumps(parts, sort_keys=True, default=str)
            # The type is part of the key: 1 and 1.0 are equal keys but are written differently.
            key = (type(quantity), quantity, day, reason, basis, stated)
            text = self.encoded.get(key)
            if text is None:
                text = self.encoded[key] = json.dumps(part, sort_keys=True, default=str)
            encoded.append(text)
        return "[" + ", ".join(encoded) + "]"


@dataclass(frozen=True)
class _PromiseRows:
    """Line promises to write, as columns (one entry per line); `parts` gives those of some
    entries as stored (JSON text), made when asked: a block's while the server inserts the last."""

    order_refs: list[str]
    line_nos: list[int]
    skus: list[str]
    line_ids: list[int | None]
    dates: list[date | None]
    reasons: list[str]
    bases: list[str]
    parts: Callable[[list[int]], Sequence[str] | PartsByPart]

    @classmethod
    def of(cls, promises: Iterable[LinePromise]) -> _PromiseRows:
        """The promises' columns: read straight from a plan's columns (`LinePromises`), with no
        `LinePromise` built; from the objects otherwise."""
        if isinstance(promises, LinePromises):
            column = promises.column
            return cls(
                column("order_refs"),
                column("line_nos"),
                column("skus"),
                column("line_ids"),
                column("dates"),
                column("reasons"),
                column("bases"),
                _by_part_else_texts(promises),
            )
        listed = list(promises)
        encode = _PartsEncoder()
        return cls(
            [p.order_ref for p in listed],
            [p.line_no for p in listed],
            [p.sku for p in listed],
            [p.line_id for p in listed],
            [p.promised_date for p in listed],
            [p.reason for p in listed],
            [p.basis for p in listed],
            _picking([encode(p.parts) for p in listed]),
        )


def _by_part_else_texts(promises: LinePromises) -> Callable[[list[int]], Sequence[str] | PartsByPart]:
    """What gives some promises' parts: by distinct value when they are a whole plan's (no text
    per line: only the distinct texts are stored), else as texts."""

    def parts(ks: list[int]) -> Sequence[str] | PartsByPart:
        found = promises.parts_by_part(ks)
        return promises.parts_texts(ks) if found is None else found

    return parts


class _PartsKeys:
    """Each stored parts' `parts_key`, each distinct text worked out once (over all calls), and
    every distinct text met (`met`: what `promise_parts` must hold). Parts that say which distinct
    part each one-part line is (`PartsByPart`: a whole plan's, nearly all of one part) are keyed
    by part, gathered by NumPy; only the others are looked up as texts."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        #: The distinct one-part texts last met, their keys, and which of them are worked out.
        self.alone: list[str] | None = None
        self.alone_keys = np.zeros(0, dtype=np.int64)
        self.alone_known = np.zeros(0, dtype=np.bool_)

    def met(self) -> dict[int, str]:
        """Every distinct parts keyed so far, by key."""
        found = {key: text for text, key in self.keys.items()}
        if self.alone is not None:
            alone, known = self.alone, self.alone_known
            for k, key in zip(np.flatnonzero(known).tolist(), self.alone_keys[known].tolist(), strict=True):
                found[key] = alone[k]
        return found

    def __call__(self, parts: Sequence[str] | PartsByPart) -> list[int]:
        if isinstance(parts, PartsByPart):
            return self._by_part(parts.part, parts.alone, parts.several)
        return self._by_text(parts)

    def _by_text(self, parts: Sequence[str]) -> list[int]:
        keys = self.keys
        for text in set(parts).difference(keys):
            keys[text] = parts_key(text)
        return list(map(keys.__getitem__, parts))

    def _by_part(self, part: Ints, alone: list[str], several: Mapping[int, str]) -> list[int]:
        """The keys of lines `alone[part[j]]`, or `several[j]` where `part[j]` is -1."""
        if self.alone is not alone:
            self.keys.update((text, key) for key, text in self.met().items())  # those met stay met
            self.alone = alone
            self.alone_keys = np.zeros(len(alone), dtype=np.int64)
            self.alone_known = np.zeros(len(alone), dtype=np.bool_)
        known = self.alone_known
        one = part >= 0
        unknown = part[one]
        unknown = unknown[~known[unknown]]
        if len(unknown):
            new = np.unique(unknown)
            self.alone_keys[new] = [parts_key(alone[k]) for k in new.tolist()]
            known[new] = True
        found: list[int] = self.alone_keys[np.where(one, part, 0)].tolist()
        if several:
            for j, key in zip(several, self._by_text(list(several.values())), strict=True):
                found[j] = key
        return found


def _once(call: Callable[[], object] | None) -> Callable[[], object]:
    """`call` the first time, then nothing (nothing ever when None)."""
    called = call is None

    def once() -> None:
        nonlocal called
        if not called:
            called = True
            assert call is not None
            call()

    return once


def _then(
    blocks: Iterable[Any], call: Callable[[], object] | None, *, begun: Callable[[], object] | None = None
) -> Iterator[Any]:
    """The blocks, then `call` once the last one is made (when given); `begun` (when given) once
    the first is handed over (the next one asked for, or none left)."""
    handed = False
    for block in blocks:
        yield block
        if not handed and begun is not None:
            begun()  # before the next block is made
        handed = True
    if not handed and begun is not None:
        begun()
    if call is not None:
        call()


def _cut(texts: Sequence[str], length: int) -> Sequence[str]:
    """The texts cut to the column's length (as they are when none is longer, the usual case)."""
    if max(map(len, set(texts)), default=0) <= length:
        return texts
    return [s if len(s) <= length else s[:length] for s in texts]


def _picker(ks: list[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """What picks entries `ks` of a column, in that order (in C: `itemgetter`)."""
    if len(ks) == 1:
        k = ks[0]
        return lambda column: [column[k]]
    if not ks:
        return lambda column: []
    return itemgetter(*ks)


def _picking(column: Sequence[Any]) -> Callable[[list[int]], Sequence[Any]]:
    """What gives the entries `ks` of a column."""
    return lambda ks: _picker(ks)(column)


def _dicts(names: tuple[str, ...], columns: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows given as columns, as one dict per row."""
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
