"""Kinds of supply and the plain words a promise gives for its date."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import NamedTuple

from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK


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


def waits_for(root: Supply) -> str:
    """The supply a date waits on, in words: "KYBER-GREEN on PO-1 due 2026-12-15"."""
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


def promise_reason(supply: Supply, *, root: Supply | None, expected: date | None, today: date) -> str:
    """Why a promise has its date: in stock, a PO or MO date, a planned order, or open term.

    `root` is the deeper supply an MO waits on (None when the MO is not held up by its
    components); `expected` is a PO's own expected date, which may lie before today.
    """
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
    name = supply.ref if kind is SupplyKind.MO else "planned MO"
    if day is None:
        assert root is not None
        prefix = f"{supply.ref} waits for {root.sku}; " if kind is SupplyKind.MO else ""
        return f"open term: {prefix}{waits_for(root)}"
    after = "" if root is None else f", after {waits_for(root)}"
    return f"{name} finishes {day.isoformat()}{after}"


def promise_basis(supply: Supply) -> str:
    """What a promise rests on: stock, a PO or MO ref, a planned PO or MO, or open term."""
    if supply.kind is SupplyKind.STOCK:
        return STOCK
    if supply.kind in (SupplyKind.PO, SupplyKind.MO):
        return supply.ref
    if supply.kind is SupplyKind.PLANNED_PO:
        return OPEN_TERM if supply.date is None else PLANNED_PO
    return PLANNED_MO
