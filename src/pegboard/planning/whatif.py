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
from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import PlanResult, Promise, QueueEntry
from pegboard.planning.segments import Ints
from pegboard.planning.snapshot import BackorderDemand, PlanInput, PlanItem

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
    old, old_extra = _line_days(before.promises, lines)
    new, new_extra = _line_days(after.promises, lines)
    moved: list[tuple[Key, int, int, int, int]] = []
    if isinstance(after.promises, PromiseTable) and len(old.day) == len(new.day):
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
        extra=tuple(_extra_supply(before, after)),
        added=tuple(_added(after.promises)),
    )


Key = tuple[str, int, str]


@dataclass(frozen=True)
class _LastDays:
    """The last day of each line (NONE: open term; -1: no promise), and its stated day."""

    day: Ints
    stated: Ints


def _line_days(promises: Sequence[Promise], lines: int) -> tuple[_LastDays, dict[Key, tuple[int, int]]]:
    """The last day (NONE: open term; -1: no promise) and last stated day of each of the first
    `lines` demand lines of a promise table, and of any other real line by (order ref, line no, SKU)."""
    extra: Iterable[Promise] = promises
    latest = np.zeros(0, dtype=np.int64)
    stated = latest
    if isinstance(promises, PromiseTable):
        extra = promises.extra
        latest = np.full(len(promises.refs), -1, dtype=np.int64)
        stated = latest.copy()
        if len(promises.line):
            np.maximum.at(latest, promises.line, promises.day)
            np.maximum.at(stated, promises.line, promises.stated)
        latest, stated = latest[:lines], stated[:lines]
    days: dict[Key, tuple[int, int]] = {}
    for p in extra:
        if p.order_ref.startswith(EXTRA_REF):
            continue
        key = (p.order_ref, p.line_no, p.sku)
        day = NONE if p.date is None else p.date.toordinal()
        said = NONE if p.stated_date is None else p.stated_date.toordinal()
        was_day, was_said = days.get(key, (day, said))
        days[key] = (max(was_day, day), max(was_said, said))
    return _LastDays(latest, stated), days


def _late_orders(late: list[LateLine]) -> tuple[LateOrder, ...]:
    """The orders of the late lines, each dated by the latest of its lines that move, before and after."""
    by_order: dict[str, list[LateLine]] = defaultdict(list)
    for line in late:
        by_order[line.order_ref].append(line)
    return tuple(
        LateOrder(ref, _latest(x.before for x in lines), _latest(x.after for x in lines), tuple(lines))
        for ref, lines in sorted(by_order.items())
    )


def _latest(days: Iterable[date | None]) -> date | None:
    """The latest date; open term (None) is later than any."""
    found = list(days)
    return None if None in found else max(d for d in found if d is not None)


#: What one suggestion asks for: (kind, supplier, sku) and (quantity, order or start date, ready date).
_Kind = tuple[str, str | None, str]
_Part = tuple[Decimal, date | None, date | None]


def _suggested(result: PlanResult) -> dict[_Kind, list[_Part]]:
    """A plan's purchase and production suggestions by kind, supplier and SKU; an MO is ready
    when its materials allow (`_ready`)."""
    found: dict[_Kind, list[_Part]] = defaultdict(list)
    for s in result.purchase_suggestions:
        found[("buy", s.supplier, s.sku)].append((s.quantity, s.order_date, s.expected_date))
    queued = {q.ref: q for q in result.production_queue}
    for m in result.production_suggestions:
        ready = _ready(m.finish_date, queued.get(m.ref))
        found[("make", None, m.sku)].append((m.quantity, m.start_date, ready))
    return found


def _extra_supply(before: PlanResult, after: PlanResult) -> list[ExtraSupply]:
    """What the scenario's plan suggests beyond the plan as it is, per SKU (and supplier): how
    much more, by when to order or start it, and when the last of it is ready (None: open term),
    dated by the suggestions the scenario added or changed, not those the plan already had."""
    had, now = _suggested(before), _suggested(after)
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


def _added(promises: Sequence[Promise]) -> list[AddedDemand]:
    """The extra demand's promises, one per scenario entry, dated by its last part."""
    parts: dict[str, list[Promise]] = defaultdict(list)
    source: Iterable[Promise] = promises
    if isinstance(promises, PromiseTable):
        source = promises.of_orders(lambda ref: ref.startswith(EXTRA_REF))
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


def _earliest(days: Iterable[date | None]) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _date(day: int) -> date | None:
    return None if day >= NONE else date.fromordinal(day)
