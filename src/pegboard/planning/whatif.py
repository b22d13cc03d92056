"""What-if: a snapshot changed by a scenario (late supply, extra demand), and what that changes in the plan.

A scenario never touches the store: `scenario_input` gives a new `PlanInput`, both are planned, and
`compare` says which orders go late (from which date to which), which lines lose their date
(open term), and what more the scenario has the plan buy or make. Extra demand is added after
every order already waiting (it is ranked last), so it never takes supply a waiting order holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from pegboard.planning.arrays import NONE
from pegboard.planning.configurations import split_sku
from pegboard.planning.net_change import kept_demands
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import PlanResult, Promise, QueueEntry
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import BackorderDemand, PlanInput, PlanItem
from pegboard.planning.values import objects

#: The refs extra demand carries inside the plan (no real ref holds a control character).
EXTRA_REF = "\x00what-if "
#: Extra demand comes after every stored line placed at the same moment.
LAST = 2**62


@dataclass(frozen=True, slots=True)
class Slip:
    """Supply arriving `days` later: some POs' open lines, some MOs, and (for a supplier) the
    lead time of the items it supplies."""

    days: int
    po_refs: frozenset[str] = frozenset()
    mo_refs: frozenset[str] = frozenset()
    supplier: str | None = None


@dataclass(frozen=True, slots=True)
class ExtraDemand:
    """Demand the scenario adds: `quantity` of `sku`, needed from `from_date` (None: now)."""

    label: str
    sku: str
    quantity: Decimal
    from_date: date | None = None


@dataclass(frozen=True, slots=True)
class LateLine:
    """A line whose date moves later: from `before` to `after` (None: open term); `stated_before`
    and `stated_after` are the same dates before suppliers' history moved them (`Promise.stated_date`)."""

    order_ref: str
    line_no: int
    sku: str
    before: date | None
    after: date | None
    stated_before: date | None = None
    stated_after: date | None = None


@dataclass(frozen=True, slots=True)
class LateOrder:
    """An order with lines that go late; its dates are the latest of those lines' (None: open term)."""

    order_ref: str
    before: date | None
    after: date | None
    lines: tuple[LateLine, ...]


@dataclass(frozen=True, slots=True)
class ExtraSupply:
    """More to buy (`kind` "buy", by `by_date` = its order date) or make (by its start date)."""

    kind: str
    sku: str
    supplier: str | None
    quantity: Decimal
    by_date: date | None
    ready_date: date | None


@dataclass(frozen=True, slots=True)
class AddedDemand:
    """Extra demand as the scenario planned it: when it would be served (None: open term)."""

    label: str
    sku: str
    quantity: Decimal
    date: date | None


@dataclass(frozen=True)
class Outcome:
    """What a scenario changes in the plan."""

    late_orders: tuple[LateOrder, ...]
    open_term: tuple[LateLine, ...]
    extra: tuple[ExtraSupply, ...]
    added: tuple[AddedDemand, ...]


def scenario_input(
    snapshot: PlanInput, *, slips: Sequence[Slip] = (), extra: Sequence[ExtraDemand] = (), now: datetime
) -> PlanInput:
    """The snapshot as the scenario would have it; the original is left as it was."""
    purchase_lines, orders, items = (
        list(snapshot.purchase_lines),
        list(snapshot.manufacturing_orders),
        snapshot.items,
    )
    dropships = list(snapshot.dropships)
    for slip in slips:
        later = timedelta(days=slip.days)
        # A drop-ship line is promised by its PO: the PO's slip is the customer's.
        dropships = [
            replace(d, expected_date=d.expected_date + later)
            if d.po_ref in slip.po_refs and d.expected_date is not None
            else d
            for d in dropships
        ]
        purchase_lines = [
            replace(p, expected_date=p.expected_date + later)
            if p.po_ref in slip.po_refs and p.expected_date is not None
            else p
            for p in purchase_lines
        ]
        orders = [
            replace(m, start_date=m.start_date + later, finish_date=m.finish_date + later)
            if m.mo_ref in slip.mo_refs
            else m
            for m in orders
        ]
        if slip.supplier is not None:
            items = [_longer_lead(i, slip.days) if i.supplier == slip.supplier else i for i in items]
    demands = list(snapshot.demands) + [
        BackorderDemand(
            order_ref=EXTRA_REF + e.label,
            line_no=1,
            sku=e.sku,
            quantity=e.quantity,
            priority=-(2**31),
            ordered_at=now,
            sequence=LAST + k,
            release_date=e.from_date,
        )
        for k, e in enumerate(extra)
        if e.quantity > 0
    ]
    return replace(
        snapshot,
        items=items,
        purchase_lines=purchase_lines,
        manufacturing_orders=orders,
        demands=demands,
        dropships=dropships,
    )


def _longer_lead(item: PlanItem, days: int) -> PlanItem:
    """A bought item whose purchase lead time is `days` longer (an unknown one stays unknown)."""
    own = None if item.lead_time_days is None else item.lead_time_days + days
    supplier = None if item.supplier_lead_time_days is None else item.supplier_lead_time_days + days
    return replace(item, lead_time_days=own, supplier_lead_time_days=supplier)


def compare(before: PlanResult, after: PlanResult, *, lines: int) -> Outcome:
    """What changed from `before` to `after` for the first `lines` demand lines (the stored ones).

    `after` plans the same demand lines as `before` (the scenario's own come after them), so
    their last days are compared as arrays by line, and only the lines that move are named."""
    old, old_extra = _table_days(before.promises), _extra_days(before.promises)
    new, new_extra = _table_days(after.promises), _extra_days(after.promises)
    old, new = old.first(lines), new.first(lines)
    if len(old.day) != len(new.day):
        old = new = _LastDays.none(0)
    return _outcome(after, lines, (old, new), (old_extra, new_extra), _extra_supply(before, after))


def with_kept_lines(narrowed: PlanInput, kept: PlanResult) -> tuple[PlanInput, Ints] | None:
    """The snapshot narrowed around a scenario (`planning.scope`), read without its lines, with
    the lines the kept whole plan promised of its items in their stead, in the kept plan's rank
    order (`net_change.kept_demands`), and each one's input line in the kept plan's promise table.

    Nothing planning reads changed since that plan, and its demand was plain
    (`net_change.plain_demand`): those are the very lines the store holds, ranked alike, so the
    scenario's plan is the same. None when the kept promises are not all in the table."""
    table = kept.promises
    if not isinstance(table, PromiseTable) or table.extra or narrowed.demands:
        return None
    at, demands = kept_demands(table, {item.sku for item in narrowed.items})
    return replace(narrowed, demands=demands), at


def compare_with_kept(
    kept: PlanResult,
    after: PlanResult,
    *,
    lines: int,
    affected: frozenset[str],
    kept_lines: Ints | None = None,
) -> Outcome:
    """`compare`, taking the plan as it is from the whole plan kept for today (`planning.kept_plan`)
    rather than planning the narrowed snapshot again: the same answer for less work.

    `after` plans a snapshot narrowed around the scenario (`planning.scope`) whose lines of the
    `affected` SKUs get the whole plan's promises, and whose suggestions of those SKUs are the whole
    plan's. Each of its first `lines` lines is found among the kept plan's by its line id (by
    order ref, line no and SKU when it has none), or, given `kept_lines` (`with_kept_lines`), at
    its place there. Suggestions of other SKUs are left out: there the narrowed plan may differ
    from the whole one, but the scenario cannot move them."""
    new, new_extra = _table_days(after.promises), _extra_days(after.promises)
    new = new.first(lines)
    old = _LastDays.none(len(new.day))
    if isinstance(after.promises, PromiseTable) and isinstance(kept.promises, PromiseTable):
        promised = np.flatnonzero(new.day >= 0)
        if kept_lines is None:
            found = _kept_lines(after.promises, kept.promises, promised)
        else:
            found = kept_lines[promised]
        known = found >= 0
        whole = _table_days(kept.promises)
        old.day[promised[known]] = whole.day[found[known]]
        old.stated[promised[known]] = whole.stated[found[known]]
    extra = _extra_supply(kept, after, among=affected)
    return _outcome(after, lines, (old, new), (_extra_days(kept.promises), new_extra), extra)


def _outcome(
    after: PlanResult,
    lines: int,
    days: tuple[_LastDays, _LastDays],
    extra_days: tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]],
    extra: list[ExtraSupply],
) -> Outcome:
    """The lines that move later (the last `days` before and after side by side by line, then
    the `extra_days` of promises outside the table by key), their orders, the lines that become
    open term, `extra` supply, and the demand added after the first `lines` lines."""
    (old, new), (old_extra, new_extra) = days, extra_days
    moved: list[tuple[Key, int, int, int, int]] = []
    if isinstance(after.promises, PromiseTable):
        table = after.promises
        for k in np.flatnonzero((new.day > old.day) & (old.day >= 0)).tolist():
            key = (table.refs[k], table.line_nos[k], table.skus[k])
            moved.append((key, int(old.day[k]), int(new.day[k]), int(old.stated[k]), int(new.stated[k])))
    moved += [
        (key, old_extra[key][0], day, old_extra[key][1], stated)
        for key, (day, stated) in new_extra.items()
        if key in old_extra and day > old_extra[key][0]
    ]
    late_lines: list[LateLine] = []
    open_term: list[LateLine] = []
    for key, was, will, stated_was, stated_will in sorted(moved):
        line = LateLine(*key, _date(was), _date(will), _date(stated_was), _date(stated_will))
        late_lines.append(line)
        if will >= NONE:
            open_term.append(line)
    return Outcome(
        late_orders=_late_orders(late_lines),
        open_term=tuple(open_term),
        extra=tuple(extra),
        added=tuple(_added(after.promises, lines)),
    )


Key = tuple[str, int, str]


@dataclass(frozen=True)
class _LastDays:
    """The last day of each line (NONE: open term; -1: no promise), and its stated day."""

    day: Ints
    stated: Ints

    @staticmethod
    def none(lines: int) -> _LastDays:
        """`lines` lines without a promise."""
        return _LastDays(np.full(lines, -1, dtype=np.int64), np.full(lines, -1, dtype=np.int64))

    def first(self, lines: int) -> _LastDays:
        """Only the first `lines` lines."""
        return _LastDays(self.day[:lines], self.stated[:lines])


def _table_days(promises: Sequence[Promise]) -> _LastDays:
    """The last day and last stated day of each input line of a promise table (none for plain promises)."""
    if not isinstance(promises, PromiseTable):
        return _LastDays.none(0)
    found = _LastDays.none(len(promises.refs))
    if len(promises.line):
        np.maximum.at(found.day, promises.line, promises.day)
        np.maximum.at(found.stated, promises.line, promises.stated)
    return found


def _extra_days(promises: Sequence[Promise]) -> dict[Key, tuple[int, int]]:
    """The last day and last stated day of each real line promised outside the table (all of
    them, for plain promises), by (order ref, line no, SKU)."""
    extra: Iterable[Promise] = promises.extra if isinstance(promises, PromiseTable) else promises
    days: dict[Key, tuple[int, int]] = {}
    for p in extra:
        if p.order_ref.startswith(EXTRA_REF):
            continue
        key = (p.order_ref, p.line_no, p.sku)
        day = NONE if p.date is None else p.date.toordinal()
        said = NONE if p.stated_date is None else p.stated_date.toordinal()
        was_day, was_said = days.get(key, (day, said))
        days[key] = (max(was_day, day), max(was_said, said))
    return days


def _kept_lines(table: PromiseTable, kept: PromiseTable, lines: Ints) -> Ints:
    """The position among `kept`'s input lines of each of these lines of `table` (-1: not there):
    found by line id, or by order ref, line no and SKU for a line without one."""
    ids, kept_ids = _ids(objects(table.line_ids, lines)), _ids(kept.line_ids)
    order = np.argsort(kept_ids, kind="stable")
    at = np.minimum(np.searchsorted(kept_ids, ids, sorter=order), max(len(order) - 1, 0))
    found = np.where((ids >= 0) & (kept_ids[order[at]] == ids) if len(order) else False, order[at], -1)
    unknown = np.flatnonzero(ids < 0)
    if len(unknown):
        by_key = {
            (kept.refs[j], kept.line_nos[j], kept.skus[j]): j for j in np.flatnonzero(kept_ids < 0).tolist()
        }
        for n, k in zip(unknown.tolist(), lines[unknown].tolist(), strict=True):
            found[n] = by_key.get((table.refs[k], table.line_nos[k], table.skus[k]), -1)
    return found


def _ids(line_ids: Sequence[int | None]) -> Ints:
    """Line ids as an array, -1 for none (by way of floats: None becomes NaN in C, and ids are
    far below 2**53, so each is exact)."""
    found = np.array(line_ids, dtype=np.float64)
    return np.where(np.isnan(found), -1, found).astype(np.int64)


def _late_orders(late: list[LateLine]) -> tuple[LateOrder, ...]:
    """The orders of the late lines, each dated by the latest of its lines that move, before and after."""
    by_order: dict[str, list[LateLine]] = defaultdict(list)
    for line in late:
        by_order[line.order_ref].append(line)
    return tuple(_late_order(ref, lines) for ref, lines in sorted(by_order.items()))


def _late_order(ref: str, lines: list[LateLine]) -> LateOrder:
    """An order dated by the latest of its late lines (most have one, whose dates are the order's)."""
    if len(lines) == 1:
        return LateOrder(ref, lines[0].before, lines[0].after, (lines[0],))
    return LateOrder(ref, _latest(x.before for x in lines), _latest(x.after for x in lines), tuple(lines))


def _latest(days: Iterable[date | None]) -> date | None:
    """The latest date; open term (None) is later than any."""
    found = list(days)
    return None if None in found else max(found)  # type: ignore[type-var]


#: What one suggestion asks for: (kind, supplier, sku) and (quantity, order or start date, ready date).
_Kind = tuple[str, str | None, str]
_Part = tuple[Decimal, date | None, date | None]


def _suggested(result: PlanResult, among: frozenset[str] | None = None) -> dict[_Kind, list[_Part]]:
    """A plan's purchase and production suggestions by kind, supplier and SKU (with `among`, only
    those of these SKUs or of their configurations); an MO is ready when its materials allow
    (`_ready`)."""
    found: dict[_Kind, list[_Part]] = defaultdict(list)
    for s in result.purchase_suggestions:
        if among is None or _among(s.sku, among):
            found[("buy", s.supplier, s.sku)].append((s.quantity, s.order_date, s.expected_date))
    making = [m for m in result.production_suggestions if among is None or _among(m.sku, among)]
    wanted = {m.ref for m in making}
    queued = {q.ref: q for q in result.production_queue if q.ref in wanted}
    for m in making:
        ready = _ready(m.finish_date, queued.get(m.ref))
        found[("make", None, m.sku)].append((m.quantity, m.start_date, ready))
    return found


def _among(sku: str, skus: frozenset[str]) -> bool:
    """`sku` is one of `skus`, or a configuration of one (`planning.configurations`)."""
    return sku in skus or split_sku(sku)[0] in skus


def _extra_supply(
    before: PlanResult, after: PlanResult, *, among: frozenset[str] | None = None
) -> list[ExtraSupply]:
    """What the scenario's plan suggests beyond the plan as it is, per SKU (and supplier): how
    much more, by when to order or start it, and when the last of it is ready (None: open term),
    dated by the suggestions the scenario added or changed, not those the plan already had.
    With `among`, only the suggestions of those SKUs (or of their configurations)."""
    had, now = _suggested(before, among), _suggested(after, among)
    found: list[ExtraSupply] = []
    for (kind, supplier, sku), parts in sorted(
        now.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1] or "")
    ):
        old = had.get((kind, supplier, sku), [])
        more = sum((q for q, _, _ in parts), Decimal(0)) - sum((q for q, _, _ in old), Decimal(0))
        if more <= 0:
            continue
        changed = list((Counter(parts) - Counter(old)).elements()) or parts
        by, ready = _earliest(b for _, b, _ in changed), _latest(r for _, _, r in changed)
        found.append(ExtraSupply(kind, sku, supplier, more, by, ready))
    return found


def _ready(finish: date | None, queued: QueueEntry | None) -> date | None:
    """A planned MO is ready when its materials allow it, not at its nominal finish: open term
    (None) while a component it waits for has no date."""
    if queued is None:
        return finish
    if any(m.available_date is None for m in queued.missing):
        return None
    return queued.finish_date


def _added(promises: Sequence[Promise], lines: int) -> list[AddedDemand]:
    """The extra demand's promises, one per scenario entry, dated by its last part (its lines
    come after the first `lines`, the stored ones)."""
    parts: dict[str, list[Promise]] = defaultdict(list)
    source: Iterable[Promise] = promises
    if isinstance(promises, PromiseTable):
        source = _after_line(promises, lines)
    for p in source:
        if p.order_ref.startswith(EXTRA_REF):
            parts[p.order_ref].append(p)
    added = []
    for ref, found in parts.items():
        dates = [p.date for p in found]
        last = None if None in dates else max(d for d in dates if d is not None)
        total = sum((p.quantity for p in found), Decimal(0))
        added.append(AddedDemand(ref.removeprefix(EXTRA_REF), found[0].sku, total, last))
    return added


def _after_line(table: PromiseTable, lines: int) -> PromiseTable:
    """Only the promises of the table's input lines after the first `lines`, and its extra ones."""
    return table.taking(np.flatnonzero(table.line >= lines), table.extra)


def _earliest(days: Iterable[date | None]) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _date(day: int) -> date | None:
    return None if day >= NONE else date.fromordinal(day)
