"""The chart of accounts and journal entries that always balance, in exact money (cents, half up)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pegboard.domain.errors import InvalidValue

ZERO = Decimal(0)
#: Amounts booked are rounded half up to the cent, line by line (price x quantity may not be).
CENT = Decimal("0.01")


class Account(StrEnum):
    """The chart of accounts, by code; names come from settings (`DEFAULT_NAMES` otherwise)."""

    CASH = "1000"
    RECEIVABLE = "1100"
    INVENTORY = "1200"
    PAYABLE = "2000"
    DEPOSITS = "2100"
    PREORDER_DEPOSITS = "2110"
    REFUNDS_DUE = "2150"
    TAX = "2200"
    ADJUSTMENTS = "3900"
    REVENUE = "4000"
    DISCOUNTS = "4050"
    SHIPPING = "4100"
    COST_OF_GOODS_SOLD = "5000"
    LABOUR = "5100"


DEFAULT_NAMES: dict[str, str] = {
    Account.CASH: "Cash",
    Account.RECEIVABLE: "Accounts receivable",
    Account.INVENTORY: "Inventory",
    Account.PAYABLE: "Accounts payable",
    Account.DEPOSITS: "Customer deposits",
    Account.PREORDER_DEPOSITS: "Preorder deposits",
    Account.REFUNDS_DUE: "Refunds due",
    Account.TAX: "Tax collected",
    Account.ADJUSTMENTS: "Stock adjustments",
    Account.REVENUE: "Revenue",
    Account.DISCOUNTS: "Discounts given",
    Account.SHIPPING: "Shipping charged",
    Account.COST_OF_GOODS_SOLD: "Cost of goods sold",
    Account.LABOUR: "Labour applied to production",
}


def account_names(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every account's name: the default unless settings rename it."""
    names = dict(DEFAULT_NAMES)
    for code, name in (overrides or {}).items():
        if code not in names:
            raise InvalidValue("account_names", code, f"is not an account code ({', '.join(names)})")
        names[code] = name
    return names


class EntryKind(StrEnum):
    """What caused an entry."""

    PAYMENT = "payment"
    SHIPMENT = "shipment"
    RECEIPT = "receipt"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    COUNT = "count"
    PRODUCTION = "production"
    CHARGES = "charges"


class UnbalancedEntry(ValueError):
    """An entry whose debits and credits differ, or with a line that is not one-sided and positive."""


@dataclass(frozen=True)
class JournalLine:
    """One side of an entry: a positive debit or a positive credit to one account."""

    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True)
class JournalEntry:
    """Lines that balance exactly (debits = credits), booked on one day for one cause."""

    booked_on: date
    kind: EntryKind
    lines: tuple[JournalLine, ...]
    order_ref: str | None = None
    reference: str = ""
    memo: str = ""

    def __post_init__(self) -> None:
        for line in self.lines:
            if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
                raise UnbalancedEntry(f"{line} must have either a positive debit or a positive credit")
        debits, credits = self.totals
        if len(self.lines) < 2 or debits != credits:
            raise UnbalancedEntry(f"{self.kind} {self.reference}: debits {debits} != credits {credits}")

    @property
    def totals(self) -> tuple[Decimal, Decimal]:
        """(total debits, total credits)."""
        return sum((x.debit for x in self.lines), ZERO), sum((x.credit for x in self.lines), ZERO)


def entry(
    kind: EntryKind,
    on: date,
    amounts: Sequence[tuple[Account, Decimal]],
    *,
    order_ref: str | None = None,
    reference: str = "",
    memo: str = "",
) -> JournalEntry | None:
    """An entry from signed amounts (positive debits, negative credits); zero amounts are left out."""
    lines = tuple(
        JournalLine(account, debit=amount) if amount > 0 else JournalLine(account, credit=-amount)
        for account, amount in amounts
        if amount != 0
    )
    if not lines:
        return None
    return JournalEntry(on, kind, lines, order_ref=order_ref, reference=reference, memo=memo)


def money(amount: Decimal) -> Decimal:
    """An amount rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
