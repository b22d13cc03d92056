"""Stock a quote holds for a checkout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class HeldQuote:
    """A quote's hold: its id, state (held, expired, converted, released), until when, the order
    it became, and what it holds by SKU."""

    quote_id: str
    status: str
    expires_at: datetime
    order_ref: str | None
    quantities: dict[str, Decimal]


class Holds(Protocol):
    """Stock held for quotes' checkouts, counted in the items' allocated totals while held."""

    def add(self, quote_id: str, quantities: Mapping[str, Decimal], *, expires_at: datetime) -> None: ...

    def get(self, quote_id: str) -> HeldQuote | None: ...

    def end_expired(self, now: datetime) -> dict[str, Decimal]: ...

    def convert(self, quote_id: str, order_ref: str, now: datetime) -> dict[str, Decimal]: ...

    def release(self, sku: str, quantity: Decimal, now: datetime) -> dict[str, Decimal]: ...

    def release_quote(self, quote_id: str, now: datetime) -> dict[str, Decimal]: ...

    def held(self) -> dict[str, Decimal]: ...
