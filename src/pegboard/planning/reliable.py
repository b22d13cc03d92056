"""Reliability-adjusted dates: a PO's date or a lead time moved by what its supplier's history says.

At the snapshot's `confidence` (say 0.90), a PO line counts on its stated date plus its
supplier's lateness after notice at that confidence (never earlier than stated; see
`planning.reliability`: a reschedule the supplier asked for is not padded again); a planned purchase arrives
after the stated lead time plus that lateness; a buy item without a stated lead time
(unpredictable) is bought on the real lead time at that confidence, and a PO of it without an
expected date counts from the day it was placed. The most specific history that can speak at the
confidence is used: the supplier and SKU's once it has `pair_history` receipts, else the
supplier's pooled one; with fewer than `MIN_HISTORY` receipts the stated date stays, and the
promise's reason says so. From fewer deliveries than the confidence needs (9 at 90%,
`reliability.values_needed`) the date rests on the latest of them, which a next delivery stays
within only n / (n + 1) of the time, so the reason says that ("the latest of its 6 deliveries")
instead of claiming the confidence. The engine plans the adjusted snapshot; the notes let reasons name the
stated date beside the adjusted one, and purchase suggestions keep the stated dates (they are
what a confirmed PO will say).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import attrgetter

from pegboard.planning.reliability import MIN_HISTORY, Reliability, values_needed
from pegboard.planning.result import AdjustedDate, PlanResult
from pegboard.planning.snapshot import BUY, OpenPurchaseLine, PlanInput, PlanItem


@dataclass(frozen=True)
class DateNote:
    """Why a supply's date is moved, or why it is not: whose history, how much of it, by how much.

    `stated_date` is a PO line's own expected date; `stated_days` a planned purchase's stated
    lead time (None: unpredictable); `days` the days added to the stated date (learned), or
    the real lead time used when nothing was stated."""

    supplier: str
    receipts: int
    learned: bool
    confidence: float
    days: int = 0
    stated_date: date | None = None
    stated_days: int | None = None
    #: Days a PO line was already overdue when dated: `days` is then learned from the deliveries
    #: that were at least as late (`Distribution.bound_beyond`).
    overdue_days: int = 0
    #: PO lines of the supplier still open past their date, learned from beside the receipts
    #: (`planning.reliability.overdue_lines`).
    overdue_lines: int = 0
    #: The deliveries `days` rests on (for an overdue line, those at least as late); fewer than
    #: the confidence needs (`Distribution.covers`) and `days` is the latest of them, said so.
    seen: int = 0

    @property
    def moved(self) -> bool:
        """The date is not the stated one."""
        return self.learned and (self.days > 0 or self.stated_date is None and self.stated_days is None)

    def _seen(self) -> str:
        """The deliveries learned from, of the `MIN_HISTORY` needed: "3 of 5 receipts"."""
        if not self.overdue_lines:
            return f"{self.receipts} of {MIN_HISTORY} receipts"
        lines = "line" if self.overdue_lines == 1 else "lines"
        return f"{self.receipts} receipts and {self.overdue_lines} overdue PO {lines}, of {MIN_HISTORY}"

    @property
    def covers(self) -> bool:
        """The deliveries are enough for `days` to hold at the confidence (else it is their latest)."""
        return self.seen >= values_needed(self.confidence)

    def _deliveries(self) -> str:
        """The deliveries learned from: "its 6 deliveries", "its 5 receipts and 1 overdue PO line"."""
        if not self.overdue_lines:
            return f"its {self.seen} deliveries"
        lines = "line" if self.overdue_lines == 1 else "lines"
        return f"its {self.receipts} receipts and {self.overdue_lines} overdue PO {lines}"

    def history(self) -> str:
        """What the history says, in words: "Crystal Broker is usually 2 days late (90% confidence)",
        or, from fewer deliveries than the confidence needs, what the latest of them did."""
        if not self.learned:
            return f"{self.supplier} has too little delivery history to learn from ({self._seen()})"
        share = f"{round(self.confidence * 100)}%"
        if self.stated_date is None and self.stated_days is None:
            took = _days(self.days)
            if not self.covers:
                return f"{self.supplier} gives no lead time; the longest of {self._deliveries()} took {took}"
            return f"{self.supplier} gives no lead time; {share} of its deliveries took {took} or less"
        if self.overdue_days > 0:
            return self._overdue(share)
        if not self.covers:
            return f"{self.supplier} is up to {_days(self.days)} late (the latest of {self._deliveries()})"
        return f"{self.supplier} is usually {_days(self.days)} late ({share} confidence)"

    def _overdue(self, share: str) -> str:
        """What the deliveries at least as late as an overdue PO line say about it."""
        already = _days(self.overdue_days)
        if not self.seen:
            return f"{self.supplier}'s PO is {already} overdue, later than any of its deliveries"
        if not self.covers:
            that = "the one that late" if self.seen == 1 else f"the latest of the {self.seen} that late"
            return (
                f"{self.supplier}'s deliveries {already} late or more came up to {_days(self.days)} "
                f"late ({that})"
            )
        return (
            f"{self.supplier}'s deliveries {already} late or more are usually "
            f"{_days(self.days)} late ({share} confidence)"
        )


@dataclass(frozen=True)
class DateNotes:
    """The notes of a plan: per PO line (PO ref, SKU) and per bought SKU (its planned purchases)."""

    po: dict[tuple[str, str], DateNote]
    planned: dict[str, DateNote]


def pair_history(confidence: float) -> int:
    """Receipts a supplier and item pair needs before its own figures date its POs instead of its
    supplier's: enough that the next delivery's bound at `confidence` is one of them,
    ceil(confidence / (1 - confidence)) (9 at 90%, 19 at 95%), and at least `MIN_HISTORY`."""
    return max(MIN_HISTORY, values_needed(confidence))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def reliable_snapshot(snapshot: PlanInput) -> tuple[PlanInput, DateNotes | None]:
    """The snapshot with PO dates and lead times moved by learned lateness, and the notes saying
    why; the snapshot itself (and no notes) when it asks for no adjustment or has no history."""
    confidence = snapshot.confidence
    if confidence is None or not snapshot.reliability:
        return snapshot, None
    figures = _Figures(snapshot.reliability, confidence)
    notes = DateNotes({}, {})
    lines = [_line(line, figures, notes, snapshot.today) for line in snapshot.purchase_lines]
    items = [_item(item, figures, notes) for item in snapshot.items]
    if not notes.po and not notes.planned:
        return snapshot, None
    return replace(snapshot, purchase_lines=lines, items=items), notes


class _Figures:
    """The learned figures at one confidence, looked up the most specific first."""

    def __init__(self, found: Sequence[Reliability], confidence: float) -> None:
        self.confidence = confidence
        self.whole = {r.supplier: r for r in found if r.sku is None}
        # A pair's own receipts replace its supplier's pooled ones only once they can state the
        # confidence on their own (`Distribution.bound` is then a receipt seen, not the largest).
        enough = pair_history(confidence)
        self.pairs = {
            (r.supplier, r.sku): r for r in found if r.sku is not None and r.learned and r.count >= enough
        }

    def of(self, supplier: str | None, sku: str) -> Reliability | None:
        if supplier is None:
            return None
        return self.pairs.get((supplier, sku)) or self.whole.get(supplier)

    def slip(self, figures: Reliability, overdue: int = 0) -> int | None:
        """Days late after the supplier's last word that a next delivery stays within at the
        confidence (`Distribution.bound`; never below 0), to add to a
        PO's current date: a slip announced by a reschedule is in that date already; None without
        a dated receipt. A line already `overdue` days past that date is at least that late: it
        counts on the deliveries that were as late (`Distribution.bound_beyond`)."""
        late = figures.late_after_notice
        if late is None:
            return None
        found = late.bound(self.confidence) if overdue <= 0 else late.bound_beyond(self.confidence, overdue)
        return max(0, math.ceil(found - 1e-9))

    def lead(self, figures: Reliability) -> int | None:
        """The real lead time a next delivery stays within at the confidence; None without a receipt."""
        if figures.lead_time is None:
            return None
        return max(0, math.ceil(figures.lead_time.bound(self.confidence) - 1e-9))

    def note(
        self,
        figures: Reliability,
        days: int = 0,
        *,
        stated_date: date | None = None,
        stated_days: int | None = None,
        overdue_days: int = 0,
    ) -> DateNote:
        return DateNote(
            figures.supplier,
            figures.receipts,
            figures.learned,
            self.confidence,
            days,
            stated_date,
            stated_days,
            overdue_days,
            figures.overdue,
            _seen(figures, stated=stated_date is not None or stated_days is not None, overdue=overdue_days),
        )


def _seen(figures: Reliability, *, stated: bool, overdue: int) -> int:
    """The deliveries a date rests on: the dated ones (lateness), those at least `overdue` days
    late, or all (the lead time of a supplier that states none)."""
    found = figures.late_after_notice if stated else figures.lead_time
    if found is None:
        return 0
    return found.seen_beyond(overdue) if overdue > 0 else found.count


def _line(line: OpenPurchaseLine, figures: _Figures, notes: DateNotes, today: date) -> OpenPurchaseLine:
    """A PO line counted on its stated date plus the learned lateness (undated: placed + lead time)."""
    found = figures.of(line.supplier, line.sku)
    if found is None:
        return line
    key = (line.po_ref, line.sku)
    if not found.learned:
        notes.po[key] = figures.note(found, stated_date=line.expected_date)
        return line
    if line.expected_date is None:
        lead = figures.lead(found)
        if lead is None or line.ordered_on is None:
            return line
        notes.po[key] = figures.note(found, lead)
        return replace(line, expected_date=max(line.ordered_on + timedelta(days=lead), today))
    overdue = max(0, (today - line.expected_date).days)
    slip = figures.slip(found, overdue)
    if not slip:
        return line
    notes.po[key] = figures.note(found, slip, stated_date=line.expected_date, overdue_days=overdue)
    return replace(line, expected_date=line.expected_date + timedelta(days=slip))


def _item(item: PlanItem, figures: _Figures, notes: DateNotes) -> PlanItem:
    """A bought item's purchase lead time: stated plus learned lateness, or the learned lead time."""
    if item.procurement != BUY:
        return item
    found = figures.of(item.supplier, item.sku)
    if found is None:
        return item
    stated = _stated_days(item)
    if not found.learned:
        notes.planned[item.sku] = figures.note(found, stated_days=stated)
        return item
    if stated is None:
        lead = figures.lead(found)
        if lead is None:
            return item
        notes.planned[item.sku] = figures.note(found, lead)
        return replace(item, supplier_lead_time_days=lead)
    slip = figures.slip(found)
    if not slip:
        return item
    notes.planned[item.sku] = figures.note(found, slip, stated_days=stated)
    return replace(item, supplier_lead_time_days=stated + slip)


def with_stated_dates(
    snapshot: PlanInput, adjusted: PlanInput, notes: DateNotes, result: PlanResult
) -> PlanResult:
    """The plan with the dates its suppliers' history moved listed beside the stated ones, and
    purchase suggestions expected on the stated lead time (what a confirmed PO will say), not on
    the adjusted one the promises use; `snapshot` is the one before adjustment."""
    bought = {s.sku for s in result.purchase_suggestions}
    result = replace(result, adjusted_dates=_adjusted_dates(snapshot, adjusted, notes, bought))
    if not result.purchase_suggestions:
        return result
    bought = {s.sku for s in result.purchase_suggestions}
    stated = {
        item.sku: item.supplier_lead_time_days
        if item.supplier_lead_time_days is not None
        else item.lead_time_days
        for item in snapshot.items
        if item.sku in bought
    }
    today = snapshot.today
    suggestions = [
        s._replace(
            expected_date=None if stated.get(s.sku) is None else today + timedelta(days=stated[s.sku] or 0)
        )
        for s in result.purchase_suggestions
    ]
    return replace(result, purchase_suggestions=suggestions)


def _stated_days(item: PlanItem) -> int | None:
    """The purchase lead time stated: the supplier's, else the item's own (None: unpredictable)."""
    return item.supplier_lead_time_days if item.supplier_lead_time_days is not None else item.lead_time_days


def _after(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)


def _adjusted_dates(
    snapshot: PlanInput, adjusted: PlanInput, notes: DateNotes, bought: set[str]
) -> list[AdjustedDate]:
    """Every noted PO line, then the planned purchases of each noted SKU the plan buys (by SKU,
    so a plan merged from parts lists them as a whole plan does, `planning.net_change`), stated
    beside counted."""
    found = []
    for before, after in zip(snapshot.purchase_lines, adjusted.purchase_lines, strict=True):
        note = notes.po.get((before.po_ref, before.sku))
        if note is not None:
            found.append(
                AdjustedDate(
                    note.supplier,
                    before.sku,
                    before.po_ref,
                    before.expected_date,
                    after.expected_date,
                    note.receipts,
                    note.learned,
                    note.history(),
                )
            )
    counted = {item.sku: _stated_days(item) for item in adjusted.items if item.sku in bought}
    for item in sorted(snapshot.items, key=attrgetter("sku")):
        note = notes.planned.get(item.sku)
        if note is not None and item.sku in bought:
            stated, days = _after(snapshot.today, _stated_days(item)), counted.get(item.sku)
            found.append(
                AdjustedDate(
                    note.supplier,
                    item.sku,
                    None,
                    stated,
                    _after(snapshot.today, days),
                    note.receipts,
                    note.learned,
                    note.history(),
                )
            )
    return found
