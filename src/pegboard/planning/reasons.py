"""Kinds of supply and the plain words a promise gives for its date."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK

if TYPE_CHECKING:
    from pegboard.planning.reliable import DateNote


class SupplyKind(IntEnum):
    """What a piece of supply is; also its place among supplies due on the same day."""

    STOCK = 0
    PO = 1
    MO = 2
    PLANNED_PO = 3
    PLANNED_MO = 4


class Supply(NamedTuple):
    """A supply as a reason names it: kind, ref (firm orders only), SKU and its date (None: open term)."""

    kind: SupplyKind
    ref: str
    sku: str
    date: date | None


def waits_for(root: Supply, note: DateNote | None = None) -> str:
    """The supply a date waits on, in words: "KYBER-GREEN on PO-1 due 2026-12-15"; with a `note`,
    also what its supplier's history says and the date that makes it (`planning.reliable`)."""
    if note is not None:
        return _waits_for_noted(root, note)
    if root.date is None:
        if root.kind is SupplyKind.PO:
            return f"{root.sku} on {root.ref} has no expected date"
        return f"{root.sku} has no predictable lead time and no open PO"
    day = root.date.isoformat()
    if root.kind is SupplyKind.PO:
        return f"{root.sku} on {root.ref} due {day}"
    if root.kind is SupplyKind.PLANNED_PO:
        return f"{root.sku} on a planned PO arriving {day}"
    if root.kind is SupplyKind.MO:
        return f"{root.sku} from {root.ref} finishing {day}"
    return f"{root.sku} from a planned MO finishing {day}"


def _waits_for_noted(root: Supply, note: DateNote) -> str:
    """`waits_for` of a PO or planned PO whose supplier's history moved its date, or could not."""
    plain = waits_for(root)
    if not note.moved or root.date is None:
        return f"{plain}; {note.history()}"
    day = root.date.isoformat()
    if root.kind is SupplyKind.PO and note.stated_date is not None:
        return (
            f"{root.sku} on {root.ref} due {note.stated_date.isoformat()}; {note.history()}: counted as {day}"
        )
    return f"{plain}; {note.history()}"


def _noted_reason(supply: Supply, note: DateNote, plain: str, today: date) -> str:
    """A PO's or planned PO's reason with what its supplier's history says (`planning.reliable`)."""
    if not note.moved or supply.date is None:
        stands = (
            ""
            if supply.date is None
            else (": the stated date stands" if supply.kind is SupplyKind.PO else "")
        )
        return f"{plain}; {note.history()}{stands}"
    day = supply.date.isoformat()
    if supply.kind is SupplyKind.PLANNED_PO:
        stated = "" if note.stated_days is None else f"{_days(note.stated_days)} stated; "
        return f"planned PO arrives {day}: {stated}{note.history()}"
    if note.stated_date is None:
        return f"{supply.ref} has no expected date; {note.history()}: promised {day}"
    stated = note.stated_date.isoformat()
    due = (
        f"{supply.ref} overdue since {stated}"
        if note.stated_date < today
        else f"{supply.ref} is due {stated}"
    )
    return f"{due}; {note.history()}: promised {day}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def promise_reason(
    supply: Supply,
    *,
    root: Supply | None,
    expected: date | None,
    today: date,
    note: DateNote | None = None,
    root_note: DateNote | None = None,
) -> str:
    """Why a promise has its date: in stock, a PO or MO date, a planned order, or open term.

    `root` is the deeper supply an MO waits on (None when the MO is not held up by its
    components); `expected` is a PO's own expected date, which may lie before today. `note`
    (a PO or planned PO) and `root_note` (the root) say how their supplier's history moved
    their dates, or why it did not (`planning.reliable`).
    """
    if note is not None and supply.kind in (SupplyKind.PO, SupplyKind.PLANNED_PO):
        return _noted_reason(
            supply, note, promise_reason(supply, root=root, expected=expected, today=today), today
        )
    kind, day = supply.kind, supply.date
    if kind is SupplyKind.STOCK:
        return "in stock"
    if kind is SupplyKind.PO:
        if day is None:
            return f"open term: {supply.ref} has no expected date"
        if expected is not None and expected < today:
            return f"{supply.ref} overdue since {expected.isoformat()}, counted as {day.isoformat()}"
        return f"{supply.ref} due {day.isoformat()}"
    if kind is SupplyKind.PLANNED_PO:
        if day is None:
            return f"open term: {waits_for(supply)}"
        return f"planned PO arrives {day.isoformat()}"
    waits = None if root is None else waits_for(root, root_note)
    iso = None if day is None else day.isoformat()
    if kind is SupplyKind.PLANNED_MO:
        return planned_mo_reason(iso, waits)
    return mo_reason(supply.ref, iso, waits, None if root is None else root.sku)


def mo_reason(ref: str, day: str | None, waits: str | None, root_sku: str | None) -> str:
    """`promise_reason` of open MO `ref` finishing on ISO `day` (None: open term), held up by
    what `waits` says of its root of SKU `root_sku` (both None when nothing holds it up)."""
    if day is None:
        assert waits is not None
        return f"open term: {ref} waits for {root_sku}; {waits}"
    after = "" if waits is None else f", after {waits}"
    return f"{ref} finishes {day}{after}"


def planned_mo_reason(day: str | None, waits: str | None) -> str:
    """`promise_reason` of a planned MO finishing on ISO `day` (None: open term), held up by
    what `waits` says (`waits_for` its root; None when its components do not hold it up)."""
    if day is None:
        assert waits is not None
        return f"open term: {waits}"
    after = "" if waits is None else f", after {waits}"
    return f"planned MO finishes {day}{after}"


def promise_basis(supply: Supply) -> str:
    """What a promise rests on: stock, a PO or MO ref, a planned PO or MO, or open term."""
    if supply.kind is SupplyKind.STOCK:
        return STOCK
    if supply.kind in (SupplyKind.PO, SupplyKind.MO):
        return supply.ref
    if supply.kind is SupplyKind.PLANNED_PO:
        return OPEN_TERM if supply.date is None else PLANNED_PO
    return PLANNED_MO
