"""Plain words for customers: dates, quantities, order status, and why a waiting line has its date.

Pure functions of plain data, no I/O; dates are written in English by Babel (CLDR's `en`),
whatever the machine's locale, so the words are the same on every machine. A stored
promise names what it rests on (`basis`: "stock", a PO or MO ref, "planned PO", "planned MO",
"open term") and why (`reason`, written by `planning.reasons`); the customer sees neither refs
nor SKUs, only what the wait is about: our supplier, our workshop, a release date ("release
date" is the basis of a preorder promised for its item's release).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel.dates import format_date

from pegboard.planning.result import OPEN_TERM, PLANNED_MO, PLANNED_PO, STOCK
from pegboard.planning.terms import RELEASE

#: Dates in words are English (CLDR data through Babel), whatever the machine's own locale.
LOCALE = Locale.parse("en")

STATUS_WORDS = {
    "open": "In progress",
    "partially_shipped": "Partly shipped",
    "shipped": "Shipped",
    "cancelled": "Cancelled",
}

TO_BE_CONFIRMED = "date to be confirmed"


@lru_cache(maxsize=4096)
def long_date(day: date) -> str:
    """A date as people write it, the same in every locale: "12 March 2027"."""
    return format_date(day, "d MMMM y", locale=LOCALE)


@lru_cache(maxsize=4096)
def day_and_month(day: date) -> str:
    """A date of the current year as people write it: "12 March"."""
    return format_date(day, "d MMMM", locale=LOCALE)


@lru_cache(maxsize=4096)
def short_day_and_month(day: date) -> str:
    """A date as a chart's axis names it: "12 Mar"."""
    return format_date(day, "d MMM", locale=LOCALE)


def quantity_words(quantity: Decimal) -> str:
    """A quantity without trailing zeros or exponent: 3, 1.5, 10."""
    text = format(quantity.normalize(), "f")
    return "0" if text in ("-0", "") else text


def status_words(status: str) -> str:
    """An order's status for its customer: "Partly shipped" rather than partially_shipped."""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


class Source(StrEnum):
    """Where the quantity a promise counts on comes from."""

    STOCK = "stock"
    PURCHASE = "purchase"
    MAKING = "making"
    OPEN_TERM = "open term"
    RELEASE = "release"


def source_of(
    basis: str, reason: str, *, purchase_refs: Collection[str] = (), making_refs: Collection[str] = ()
) -> Source:
    """What a basis means: stock, a (planned) PO, a (planned) MO, or open term.

    A firm PO or MO is named by its ref, so the caller says which refs are POs and which MOs;
    a ref known as neither is told apart by its reason (an MO "finishes", a PO is "due").
    """
    if basis == STOCK:
        return Source.STOCK
    if basis == OPEN_TERM:
        return Source.OPEN_TERM
    if basis == RELEASE:
        return Source.RELEASE
    if basis == PLANNED_PO or basis in purchase_refs:
        return Source.PURCHASE
    if basis == PLANNED_MO or basis in making_refs:
        return Source.MAKING
    if re.search(rf"{re.escape(basis)} (finishes|waits for) ", reason):
        return Source.MAKING
    return Source.PURCHASE


@dataclass(frozen=True)
class Component:
    """The component a made item's date waits on, as a reason names it, and whether we make it too."""

    sku: str
    made: bool


# How `planning.reasons.waits_for` names the deepest supply a date waits on.
_WAITS_FOR = re.compile(
    r"^(?P<sku>.+?) (?:"
    r"(?P<bought>on a planned PO arriving \S+|on .+? due \S+|on .+? has no expected date"
    r"|has no predictable lead time and no open PO)"
    r"|(?P<made>from a planned MO finishing \S+|from .+? finishing \S+)"
    r")$"
)


def waited_on(reason: str) -> Component | None:
    """The component a promise's reason says the date waits on ("..., after KYBER-GREEN on PO-1 due ...")."""
    if ", after " in reason:
        clause = reason.split(", after ", 1)[1]
    elif reason.startswith("open term: "):
        clause = reason.removeprefix("open term: ")
        clause = clause.split("; ", 1)[1] if " waits for " in clause and "; " in clause else clause
    else:
        return None
    found = _WAITS_FOR.match(clause)
    if found is None:
        return None
    return Component(found["sku"], made=found["made"] is not None)


# How `planning.ship_complete.ships_with` names the line a ship-complete order's date waits on.
_SHIPS_WITH = re.compile(
    r"^(?:open term: ships complete with (?P<open>.+?), which is |ships with (?P<sku>.+?), \d)"
)


def held_by(reason: str) -> str | None:
    """The SKU of the line a ship-complete order's line ships with ("ships with SABER-GREEN, ..."), if any."""
    found = _SHIPS_WITH.match(reason)
    return None if found is None else found["open"] or found["sku"]


@dataclass(frozen=True)
class Waiting:
    """What the page knows about a waiting quantity: its promise (if any) and the names around it.

    `basis` None means no plan has promised the line yet. `component` is the name of the
    component a made item waits on (`component_made` when we make that too); `supplier` is the
    supplier that ships a drop-ship line; `release_date` is a preorder item's release.
    """

    item_name: str
    promised_date: date | None = None
    basis: str | None = None
    reason: str = ""
    source: Source = Source.OPEN_TERM
    kind: str = "stock"
    component: str | None = None
    component_made: bool = False
    supplier: str | None = None
    release_date: date | None = None
    #: The name of the line a ship-complete order's line waits for (`held_by`), when it waits for one.
    ships_with: str | None = None


def explain(waiting: Waiting) -> str:
    """Why the quantity waits and until when, in the customer's words; preorders name their release."""
    words = _supply_words(waiting)
    if waiting.kind != "preorder" or waiting.release_date is None:
        return words
    released = f"preorder, released on {long_date(waiting.release_date)}"
    day = waiting.promised_date
    if (
        waiting.basis is None
        or waiting.source in (Source.STOCK, Source.RELEASE)
        or (day is not None and day <= waiting.release_date)
    ):
        return released
    return f"{released}; {words}"


def _supply_words(w: Waiting) -> str:
    day = None if w.promised_date is None else long_date(w.promised_date)
    if w.basis is None:
        return TO_BE_CONFIRMED
    if w.ships_with is not None:
        return f"ships with the {w.ships_with} when the whole order is ready, {day or TO_BE_CONFIRMED}"
    late = " overdue since " in w.reason
    if w.kind == "dropship":
        shipper = f"ships directly from {w.supplier or 'our supplier'}"
        if day is None:
            return f"{shipper}, {TO_BE_CONFIRMED}"
        return f"{shipper}, delayed, now expected {day}" if late else f"{shipper}, due {day}"
    if w.source is Source.STOCK:
        return "in stock, ships with the next parcel"
    if w.source is Source.RELEASE and day is not None:
        return f"released on {day}"
    from_supplier = w.component is not None and not w.component_made
    if day is None:
        if from_supplier:
            return f"waiting for {w.component} from our supplier, {TO_BE_CONFIRMED}"
        if w.source in (Source.PURCHASE, Source.OPEN_TERM):
            return f"waiting for {w.item_name} from our supplier, {TO_BE_CONFIRMED}"
        return TO_BE_CONFIRMED
    if w.source is Source.PURCHASE:
        if late:
            return f"waiting for {w.item_name} from our supplier, delayed, now expected {day}"
        return f"waiting for {w.item_name} from our supplier, due {day}"
    if w.source is Source.MAKING:
        if from_supplier:
            return f"waiting for {w.component} from our supplier, then made in our workshop, ready {day}"
        return f"being made in our workshop, ready {day}"
    return f"expected {day}"


def ready_words(*, ship_policy: str, whole: bool, ships_on: date | None = None) -> str:
    """What happens to allocated stock: it ships next, or with the rest under a complete ship policy
    (on the order's date, `ships_on`, when every waiting line has one)."""
    if ship_policy == "complete" and not whole:
        when = "" if ships_on is None else f", expected {long_date(ships_on)}"
        return f"reserved for you, ships when the whole order is ready{when}"
    return "reserved for you, ships with the next parcel"
