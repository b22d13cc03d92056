"""Planning runs: promise every backorder an honest date, and turn suggestions into real orders."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

from pegboard.domain.errors import ActionRefused
from pegboard.domain.events import PromiseChanged
from pegboard.domain.quantities import Quantity
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder, PurchaseOrderLine
from pegboard.planning import line_changes
from pegboard.planning.collector import collector_paused, leave_until_exit
from pegboard.planning.configurations import split_sku
from pegboard.planning.engine import plan
from pegboard.planning.line_changes import StoredLines
from pegboard.planning.net_change import plain_demand, replanned, with_kept_demands
from pegboard.planning.promise_digest import promises_digest
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.promises import LinePromise, LinePromises, Lines, StoredPromise
from pegboard.planning.result import PlanResult, Promise
from pegboard.services.holds import end_expired_holds
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.reserving import reserve_for_new_mos


class NothingSuggested(ActionRefused):
    """The plan has no suggestion matching what was asked to confirm."""

    code = "nothing_suggested"


@dataclass(frozen=True)
class PlanRun:
    """A plan, the line promises that changed with it, and what confirming it created."""

    result: PlanResult
    changed: Sequence[LinePromise]
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Lines whose promised date moved: each a PromiseChanged, which may tell a customer a new date.
    new_dates: int = 0
    #: A preview: `changed` and `new_dates` say what a plan run would do; nothing was written.
    preview: bool = False


def run_plan(
    *, uow: UnitOfWork, clock: Clock, confirm: bool = False, store: bool = True, only: Selector | None = None
) -> PlanRun:
    """Plan from a snapshot, store each line's promise, announce changed promises.

    Nothing changed since today's stored plan: it is the answer. Only orders placed since: what
    they reach is planned and merged into it (`planning.net_change`), the same plan a whole run
    gives. Anything else: the whole snapshot is planned.

    With `confirm`, the suggested POs (one per supplier) and MOs are created in the same
    transaction; `only` narrows that to one supplier's PO or one SKU's MOs. Once anything is
    created, the promises are planned again on it and stored once (`keep_plan`): a line whose date
    moves is announced once, with its date after confirming. Without `store` it is `preview_plan`.
    """
    if not store:
        return preview_plan(uow=uow, clock=clock)
    # A whole plan's run makes millions of small objects and no reference cycles, and keeps the
    # snapshot and the plans alive throughout: a collection finds nothing to free and only walks
    # them again, as often as every few thousand events, rows or stored promises made.
    with uow, collector_paused():
        today = clock.today()
        end_expired_holds(uow, clock.now())  # orders given the freed stock record it
        seen = uow.plans.inputs_seen()
        # Nothing planning reads changed since the stored plan, today: it is this plan, whose
        # promises are stored already (`planning.kept_plan`).
        kept = uow.plans.kept_result(seen, planned_on=today)
        merged = None if kept is not None else _net_change(uow, today, seen)
        plain = merged is not None
        stored_ahead: StoredLines | None = None
        if kept is not None:
            result = kept
        elif merged is not None:
            result = merged[0]
        else:
            snapshot = uow.planning.snapshot(today)
            # The stored plan, which this plan's promises and rows are compared with, is read
            # while the engine plans (nothing else uses the connection meanwhile): the read waits
            # on the database, and inflating its bytes lets go of the interpreter.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stored-plan") as beside:
                reading = beside.submit(uow.plans.last_promises)
                ahead = None if confirm else beside.submit(_stored_ahead, uow, today)
                result, plain = plan(snapshot), plain_demand(snapshot)
                reading.result()
                stored_ahead = None if ahead is None else ahead.result()
            # A process that ends after the run need not free the snapshot object by object.
            leave_until_exit(snapshot)
        changed: Sequence[LinePromise] = []
        new_dates, digest = 0, None
        created, skipped = _confirm(_narrowed(result, only), uow, today) if confirm else ([], [])
        if created:
            # The promises rest on what was just confirmed: planned again, they are stored once,
            # each moved line announced once, from its promise stored before this run to the
            # final date (this plan's promises, never stored, are no promise anyone was given).
            changed, new_dates = _kept_again(uow, today, seen)
        elif kept is None:
            lines = Lines(result.promises)

            def store_them(begun: Callable[[], object] | None = None) -> tuple[Sequence[LinePromise], int]:
                # While the database takes the last of many promises, the plan is packed for keeping.
                sent = partial(uow.plans.pack_beside, result)
                if merged is not None:
                    return _store_whole_plan(
                        lines, uow, today, base=merged[1], within=merged[2], sent=sent, begun=begun
                    )
                return _store_whole_plan(
                    lines,
                    uow,
                    today,
                    base=uow.plans.last_promises(),
                    sent=sent,
                    begun=begun,
                    stored=stored_ahead,
                )

            stored_digest = uow.plans.promises_digest(seen)
            if stored_digest is None or (merged is None and _differs(lines, uow)):
                # No stored digest to compare with (a first plan, or inputs changed since), or
                # one these promises cannot have: they are stored, and their digest is made
                # meanwhile, while the database takes them (a thread: the store mostly waits on
                # the server).
                # The digest's thread starts once the server has the first promises to insert:
                # started before, it took the interpreter from the store's first block, and the
                # server waited for both.
                with ThreadPoolExecutor(max_workers=1) as beside:
                    making: list[Future[str]] = []
                    changed, new_dates = store_them(
                        begun=lambda: making.append(beside.submit(promises_digest, lines))
                    )
                    digest = making[0].result() if making else promises_digest(lines)
            else:
                digest = promises_digest(lines)
                # When the stored plan gave these very promises and no input changed since, the
                # stored promises are these: nothing to compare, store or announce
                # (`planning.promise_digest`).
                if stored_digest != digest:
                    changed, new_dates = store_them()
            # The moved promises' events are written while the stored plan's rows to write are
            # worked out: the server takes the one while the interpreter makes the other.
            uow.plans.save(
                result,
                planned_on=today,
                inputs_seen=seen,
                promises_digest=digest,
                plain_demand=plain,
                beside=uow.write_events,
            )
            # Nor these lines, nor the stored plan this transaction read (`collector`).
            leave_until_exit(lines, uow)
        uow.commit()
    return PlanRun(result, changed, created, skipped, new_dates=new_dates)


#: From this many of the stored plan's promises resting on planned orders, a later day's whole plan
#: reads every stored promise while the engine plans (as many as the store's whole-plan read,
#: `PromiseStore.stored_line_columns`).
MOVING_WITH_THE_DAY = 20_000


def _stored_ahead(uow: UnitOfWork, today: date) -> StoredLines | None:
    """Every stored promise, read beside the engine (the server is idle meanwhile) when this plan
    will compare most of them with its own: on a later day than the stored plan's, with more than
    `MOVING_WITH_THE_DAY` of its promises resting on planned orders, which move with the day
    (`line_changes.on_planned_orders`). None otherwise: `_changes` reads what it needs after."""
    base = uow.plans.last_promises()
    day = uow.plans.planned_on()
    if base is None or day is None or day >= today:
        return None
    if line_changes.on_planned_orders(base) <= MOVING_WITH_THE_DAY:
        return None
    return uow.planning.every_stored_line()


def _differs(lines: Lines, uow: UnitOfWork) -> bool:
    """Whether a whole plan's promises differ from the stored plan's at some line
    (`line_changes.differ`): then their digest is not the stored one, which `save` stored with
    that plan. False when not known (no kept plan): compare the digests then."""
    base = uow.plans.last_promises()
    return base is not None and line_changes.differ(lines, base)


def _net_change(
    uow: UnitOfWork, today: date, seen: int
) -> tuple[PlanResult, Sequence[Promise], frozenset[str]] | None:
    """The whole plan, from the stored plan of today and a plan of what the orders placed since
    reach (`planning.net_change`), when placing orders is all that changed since, with the stored
    plan's promises and the SKUs whose lines it may promise otherwise; None when anything else
    changed, or the merge cannot be exact: then the whole snapshot is planned."""
    since = uow.plans.placed_since_plan(planned_on=today, upto=seen)
    if since is None:
        return None
    placed, kept = since
    promises = kept.promises
    last = None
    if isinstance(promises, PromiseTable) and len(promises.line):
        line_id = promises.line_ids[int(promises.line[-1])]
        last = None if line_id is None else uow.plans.line_rank(line_id)
        if last is None:
            return None
    # Only the new orders' lines are read: the others wait as the kept plan has them.
    read = uow.planning.snapshot(today, around=uow.plans.order_skus(placed), orders=placed)
    narrowed = with_kept_demands(read, kept, last_kept=last)
    if narrowed is None:
        return None
    merged = replanned(kept, narrowed)
    if merged is None or narrowed.affected is None:
        return None
    return merged, promises, narrowed.affected


def keep_plan(*, uow: UnitOfWork, today: date, inputs_seen: int) -> int:
    """Plan again inside the caller's transaction (after suggestions became POs and MOs), store
    the promises that now rest on them, and keep this plan for the pages; returns the lines whose
    date moved. `inputs_seen` is the last plan-input change read when the transaction began."""
    return _kept_again(uow, today, inputs_seen)[1]


def _kept_again(uow: UnitOfWork, today: date, inputs_seen: int) -> tuple[Sequence[LinePromise], int]:
    """`keep_plan`, also returning the promises it stored (new or changed)."""
    snapshot = uow.planning.snapshot(today)
    result = plan(snapshot)
    lines = Lines(result.promises)
    # No base: the stored plan is not the plan before the change (its suggestions were confirmed).
    changed, new_dates = _store_whole_plan(lines, uow, today, base=None)
    uow.plans.save(
        result,
        planned_on=today,
        inputs_seen=inputs_seen,
        promises_digest=promises_digest(lines),
        plain_demand=plain_demand(snapshot),
    )
    return changed, new_dates


def _store_whole_plan(
    lines: Lines,
    uow: UnitOfWork,
    today: date,
    *,
    base: Sequence[Promise] | None,
    within: frozenset[str] | None = None,
    sent: Callable[[], object] | None = None,
    begun: Callable[[], object] | None = None,
    stored: StoredLines | None = None,
) -> tuple[Sequence[LinePromise], int]:
    """Store a whole plan's promises that differ from the stored ones, announce the moved dates,
    and unmark the lines re-promised since the stored plan; returns the changed promises and how
    many dates moved. `base` is the stored plan's promises (`StoredPlans.last_promises`): the
    stored ones but for the marked lines: only the other lines are read (None: all are).
    `within`: the plan gives every line of other SKUs the promise `base` gives it (net change).
    `sent`: called when the promises are sent and the database still works on them (the store's);
    `begun`: once the database has the first of them (the store's), if any is stored. `stored`:
    every stored promise, read in this transaction before (`_stored_ahead`), else read here."""
    marked = uow.planning.promised_since_plan()
    if base is None:
        suspects = None
    elif within is not None:
        suspects = _of_skus(lines, within, marked)
    else:
        suspects = _maybe_moved(lines, base, marked)
    changed, before = _changes(lines, uow, suspects, stored)
    announced = save_promises(
        changed, before, uow=uow, today=today, whole_plan=True, before_read=True, sent=sent, begun=begun
    )
    if marked:
        uow.planning.settle_since_plan(marked, _by_id(lines, marked))
    return changed, len(announced)


def _by_id(lines: Lines, wanted: set[int]) -> dict[int, tuple[date | None, str]]:
    """The date and reason of the lines with these ids, by line id."""
    return line_changes.promises_of(lines, wanted)


def _of_skus(lines: Lines, skus: frozenset[str], marked: set[int]) -> list[int]:
    """The lines (positions) of these SKUs, those re-promised since the stored plan, and those
    known by order ref only."""
    return line_changes.of_skus(lines, skus, marked)


def _maybe_moved(lines: Lines, base: Sequence[Promise], marked: set[int]) -> list[int]:
    """The lines (positions) whose stored promise may differ from this plan's: those re-promised
    since the stored plan, those it gave another date or reason or did not promise, and those
    known by order ref only (compared as arrays: `planning.line_changes`)."""
    return line_changes.maybe_moved(lines, base, marked)


def preview_plan(*, uow: UnitOfWork, clock: Clock) -> PlanRun:
    """The plan, and the promises a plan run would give or move, computed without writing anything.

    No promise is stored, no event queued (so no customer hears of it), no preorder released and
    no suggestion confirmed; the transaction is rolled back, never committed.
    """
    with uow:
        result = plan(uow.planning.snapshot(clock.today()))
        changed, before = promise_changes(result, uow=uow)
    return PlanRun(result, changed, new_dates=len(_announcements(changed, before)), preview=True)


@dataclass(frozen=True)
class Selector:
    """Suggestions to confirm: a supplier's suggested PO, the suggested MOs of one SKU, or the
    suggested purchases of some SKUs (`bought`, whatever their supplier)."""

    supplier: str | None = None
    sku: str | None = None
    bought: frozenset[str] = frozenset()


def _narrowed(result: PlanResult, only: Selector | None) -> PlanResult:
    """The suggestions `only` picks; refused when it picks nothing."""
    if only is None:
        return result
    purchases = [
        s
        for s in result.purchase_suggestions
        if (only.supplier is not None and s.supplier == only.supplier) or s.sku in only.bought
    ]
    making = [s for s in result.production_suggestions if only.supplier is None and s.sku == only.sku]
    if not purchases and not making:
        wanted = f"supplier {only.supplier!r}" if only.supplier is not None else f"SKU {only.sku!r}"
        if only.bought:
            wanted = "SKUs " + ", ".join(sorted(only.bought))
        raise NothingSuggested(f"the plan suggests nothing for {wanted}")
    return replace(result, purchase_suggestions=purchases, production_suggestions=making)


def repromise(skus: Iterable[str], *, uow: UnitOfWork, today: date) -> Sequence[LinePromise]:
    """As `repromise_moves`, returning the changed line promises."""
    return repromise_moves(skus, uow=uow, today=today)[0]


def repromise_moves(
    skus: Iterable[str], *, uow: UnitOfWork, today: date
) -> tuple[Sequence[LinePromise], Sequence[PromiseChanged]]:
    """Re-promise the lines a change at `skus` can move, inside the caller's transaction.

    Only what such a change can reach through BOMs is read and planned (`planning.scope`), so
    those lines' promises come out as a full plan would give them (property tests hold the two
    together), and no other line's promise can have moved; changed ones are stored and announced.
    """
    result = plan(uow.planning.snapshot(today, around=skus))
    return _store(result, uow=uow, today=today)


def store_promises(result: PlanResult, *, uow: UnitOfWork, today: date) -> Sequence[LinePromise]:
    """Keep each line's new promise and write a PromiseChanged for each line whose date moved."""
    return _store(result, uow=uow, today=today)[0]


def _store(
    result: PlanResult, *, uow: UnitOfWork, today: date
) -> tuple[Sequence[LinePromise], Sequence[PromiseChanged]]:
    """As `store_promises`, also returning the PromiseChanged events written."""
    changed, before = promise_changes(result, uow=uow)
    return changed, save_promises(changed, before, uow=uow, today=today)


def save_promises(
    changed: Sequence[LinePromise],
    before: Sequence[StoredPromise | None],
    *,
    uow: UnitOfWork,
    today: date,
    whole_plan: bool = False,
    before_read: bool = False,
    sent: Callable[[], object] | None = None,
    begun: Callable[[], object] | None = None,
) -> Sequence[PromiseChanged]:
    """Store the changed promises and queue their announcements (the lines whose date moved);
    `whole_plan`: they come from a whole plan run, not a re-promise of some SKUs. `before_read`:
    `before` was read from the store in this transaction (`_changes`), so it also says which
    lines have a stored promise, and the store need not read every stored line again.

    The one place that writes `PromiseChanged`: no aggregate records it, since the promises
    come from the plan's arrays and the orders are never loaded (see `ports.Outbox`).
    """
    stored = line_changes.known(before) if before_read else None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="announcing") as beside:
        making: list[Future[Sequence[PromiseChanged]]] = []

        def sent_all() -> None:
            # The store's last statement is the server's alone (a whole plan's UPDATE from its
            # scratch table, 2 s at L): the announcements and their stored form are made meanwhile.
            making.append(beside.submit(_announced_ahead, changed, before, uow))
            if sent is not None:
                sent()

        uow.planning.save_promises(
            changed, on=today, whole_plan=whole_plan, stored=stored, sent=sent_all, begun=begun
        )
        announcements = making[0].result() if making else _announcements(changed, before)
    uow.outbox.record_promise_changes(announcements)
    return announcements


def _announced_ahead(
    changed: Sequence[LinePromise], before: Sequence[StoredPromise | None], uow: UnitOfWork
) -> Sequence[PromiseChanged]:
    """`_announcements`, their stored form made too (`Outbox.prepare_promise_changes`)."""
    announcements = _announcements(changed, before)
    uow.outbox.prepare_promise_changes(announcements)
    return announcements


def promise_changes(
    result: PlanResult, *, uow: UnitOfWork
) -> tuple[Sequence[LinePromise], Sequence[StoredPromise | None]]:
    """The lines whose promise is new or moved, each with its stored promise (None if first); reads only."""
    return _changes(Lines(result.promises), uow)


def _changes(
    lines: Lines, uow: UnitOfWork, suspects: list[int] | None = None, stored: StoredLines | None = None
) -> tuple[Sequence[LinePromise], Sequence[StoredPromise | None]]:
    """The lines whose promise is new or moved, each with its stored promise (None if first),
    looking only at the lines (positions) `suspects` when given: any other line's stored
    promise is known to be this plan's. `stored`: every stored promise, read already."""
    among = range(len(lines)) if suspects is None else suspects

    def picked(column: list[Any]) -> list[Any]:
        return column if suspects is None else [column[k] for k in among]

    # Lines from a stored snapshot carry their ids: their stored promises are read by id, as
    # columns, and compared as arrays (`planning.line_changes`); a `StoredPromise` is built only
    # for a line whose promise is new or moved: after a small change, a handful out of a million.
    ids = picked(lines.line_ids)
    dates, reasons = picked(lines.dates), picked(lines.reasons)
    known = (
        stored if stored is not None else uow.planning.stored_line_columns([i for i in ids if i is not None])
    )
    moved, before = line_changes.stored_moved(known, ids, dates, reasons)
    if None in ids:
        # Any other line by order ref and line number.
        refs, line_nos = picked(lines.order_refs), picked(lines.line_nos)
        by_ref = uow.planning.stored_promises({ref for ref, i in zip(refs, ids, strict=True) if i is None})
        kept_moved, kept_before = [], []
        for n, by_id in zip(moved, before, strict=True):
            s = by_id if ids[n] is not None else by_ref.get((refs[n], line_nos[n]))
            if ids[n] is None and s is not None and s.promised_date == dates[n] and s.reason == reasons[n]:
                continue
            kept_moved.append(n)
            kept_before.append(s)
        return lines.promises([among[n] for n in kept_moved]), kept_before
    return lines.promises([among[n] for n in moved]), before


def _announcements(
    changed: Sequence[LinePromise], before: Sequence[StoredPromise | None]
) -> Sequence[PromiseChanged]:
    """A PromiseChanged for each line whose date moved (the first promise is not a change)."""
    assert len(changed) == len(before)
    if not isinstance(changed, LinePromises):
        return [
            PromiseChanged(p.order_ref, p.line_no, p.sku, stored.promised_date, p.promised_date, p.reason)
            for p, stored in zip(changed, before, strict=True)
            if stored is not None and stored.promised_date != p.promised_date
        ]
    # A whole plan's promises stay columns, and so do the events: made from the plan's and the
    # stored promises' columns, no `LinePromise` or `PromiseChanged` built (an outbox writes
    # them from the columns: `line_changes.MovedDates`).
    return line_changes.moved_dates(changed, before)


def create_suggested(result: PlanResult, *, uow: UnitOfWork, today: date) -> tuple[list[str], list[str]]:
    """Create the POs and MOs `result` suggests inside the caller's transaction; (created, skipped)."""
    return _confirm(result, uow, today)


def _confirm(result: PlanResult, uow: UnitOfWork, today: date) -> tuple[list[str], list[str]]:
    """Create one PO per supplier and one MO per production suggestion; returns (created, skipped)."""
    created: list[str] = []
    skipped: list[str] = []
    by_supplier: dict[str, list[PurchaseOrderLine]] = {}
    for suggestion in result.purchase_suggestions:
        if suggestion.supplier is None:
            skipped.append(f"{suggestion.quantity} {suggestion.sku}: the item has no supplier")
            continue
        by_supplier.setdefault(suggestion.supplier, []).append(
            PurchaseOrderLine(suggestion.sku, Quantity(suggestion.quantity), suggestion.expected_date)
        )
    po_refs = _free_refs(uow, "PO", len(by_supplier))
    pos = [
        PurchaseOrder(ref, supplier, lines)
        for ref, (supplier, lines) in zip(po_refs, sorted(by_supplier.items()), strict=True)
    ]
    uow.supply.add_purchase_orders(pos)
    created += po_refs
    # An item's production lead time is read only for a suggestion with no dates (open term).
    undated = {split_sku(s.sku)[0] for s in result.production_suggestions if s.finish_date is None}
    items = uow.catalogue.items(undated) if undated else {}
    made: list[ManufacturingOrder] = []
    mo_refs = _free_refs(uow, "MO", len(result.production_suggestions))
    for ref, making in zip(mo_refs, result.production_suggestions, strict=True):
        # A configuration's suggestion makes an MO of that configuration (`planning.configurations`).
        sku, options = split_sku(making.sku)
        start = making.start_date or today
        finish = making.finish_date or start + timedelta(days=items[sku].lead_time_days or 0)
        made.append(ManufacturingOrder(ref, sku, Quantity(making.quantity), start, finish, options=options))
    uow.supply.add_manufacturing_orders(made)
    created += mo_refs
    # Confirmed, each MO reserves what is on hand of its components, the earliest to start first,
    # as the plan gave the stock to the one it could start soonest (`services.reserving`).
    reserve_for_new_mos(uow, made)
    return created, skipped


def _free_refs(uow: UnitOfWork, prefix: str, count: int) -> list[str]:
    """The next `count` refs of a series that no document uses yet (imported refs may share the
    prefix): a used one is passed over, as numbering one at a time would."""
    refs: list[str] = []
    while len(refs) < count:
        block = uow.supply.next_refs(prefix, count - len(refs))
        used = uow.supply.used_refs(block)
        refs += [ref for ref in block if ref not in used]
    return refs
