"""The books: the journal, an order's charges, and stock valuation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from pegboard.domain.books import JournalEntry, OrderCharges
from pegboard.domain.valuation import CostMethod, Holding, ValuedMove


@dataclass(frozen=True)
class JournalRow:
    """One line of the journal as `pegboard journal` prints it."""

    date: date
    entry: int
    account: str
    debit: Decimal
    credit: Decimal
    order_ref: str | None
    memo: str


class JournalRepository(Protocol):
    """The books' journal: balanced entries appended, never changed; sums read back."""

    def add(self, entry: JournalEntry) -> int: ...

    def order_balances(self, order_ref: str) -> dict[str, Decimal]: ...

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]: ...

    def cash_by_reference(self, order_ref: str, reference: str) -> tuple[Decimal, Decimal]: ...

    def rows(self, *, start: date | None = None, end: date | None = None) -> list[JournalRow]: ...

    @property
    def charges(self) -> ChargesRepository: ...


class ChargesRepository(Protocol):
    """An order's tax, discounts and shipping, written when the order is placed (replaced when the
    shop changes them; the journal books the change)."""

    def add(self, order_ref: str, charges: OrderCharges) -> None: ...

    def replace(self, order_ref: str, charges: OrderCharges) -> None: ...

    def of(self, order_ref: str) -> OrderCharges: ...


class ValuationRepository(Protocol):
    """The stock value ledger: a value row per stock movement; holdings and totals read back."""

    def add(self, move: ValuedMove) -> None: ...

    def holdings(self, skus: Iterable[str], method: CostMethod) -> dict[str, Holding]: ...

    def totals(self, *, as_of: date | None = None) -> dict[str, tuple[Decimal, Decimal]]: ...

    def moves(self) -> list[ValuedMove]: ...

    def unvalued(self) -> dict[str, Decimal]: ...
