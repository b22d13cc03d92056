"""Product-page availability: one line a shop can show a customer, from a quote, revealing nothing else.

Only items with a sale price are answered (materials and parts stay private); the answer is
the quote of an order for that quantity alone: its date, whether it ships from stock, and a
sentence. No stock figure is given unless the shop allows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pegboard.domain.errors import UnknownSku
from pegboard.domain.items import Procurement
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.quoting import LeftoverCache, Quote, QuoteRequest, quote_within

MONTHS = ("January February March April May June July August September October November December").split()


class NotOnSale(UnknownSku):
    """No item on sale carries this SKU (unknown, or not sold: a material has no sale price)."""

    code = "not_found"


@dataclass(frozen=True)
class Availability:
    """What a product page may say about `quantity` of `sku`; `available` only where the shop allows."""

    sku: str
    quantity: Decimal
    date: dt.date | None
    in_stock: bool
    message: str
    available: Decimal | None = None


def availability(
    sku: str,
    quantity: Decimal,
    *,
    uow: UnitOfWork,
    clock: Clock,
    show_stock: bool = False,
    leftovers: LeftoverCache | None = None,
) -> Availability:
    """The quote of `quantity` of an item on sale, in words; NotOnSale for any other SKU.

    With `leftovers` (a server's), the quote comes from the plan's kept leftover where it can
    answer exactly, as `POST /api/v1/quotes` does: the same answer, without planning."""
    with uow:
        item = uow.catalogue.items([sku]).get(sku)
        if item is None or item.price is None:
            raise NotOnSale(sku, field="sku")
        found = quote_within(QuoteRequest(((sku, quantity),)), uow=uow, clock=clock, leftovers=leftovers)
    line = found.lines[0]
    in_stock = line.now >= quantity
    message = _message(found, in_stock=in_stock, made=item.procurement is Procurement.MAKE)
    free = max(found.available[sku], Decimal(0)) if show_stock else None
    return Availability(sku, quantity, found.date, in_stock, message, free)


def _message(found: Quote, *, in_stock: bool, made: bool) -> str:
    """ "In stock, ships today", "Made to order: ships by 12 March", or the open-term wording."""
    day, today = found.date, found.today
    if in_stock:
        return f"In stock, ships {_when(day or today, today)}"
    reason = found.lines[0].reason
    lead = "Preorder" if reason.startswith("preorder") else "Made to order" if made else "On backorder"
    if day is None:
        return f"{lead}: the delivery date will be confirmed when our supplier gives one"
    return f"{lead}: ships {_when(day, today, by=True)}"


def _when(day: dt.date, today: dt.date, *, by: bool = False) -> str:
    """ "today", "tomorrow", else "by 12 March" (with the year when it is not this year's)."""
    if day <= today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    words = f"{day.day} {MONTHS[day.month - 1]}"
    if day.year != today.year:
        words += f" {day.year}"
    return f"by {words}" if by else f"on {words}"
