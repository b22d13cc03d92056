"""Balances: the trial balance, and the deposits an order holds and draws on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pegboard.domain.books.journal import ZERO, Account


@dataclass(frozen=True)
class BalanceLine:
    """An account's total debits and credits, and its balance (debit positive)."""

    account: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(
    totals: Mapping[str, tuple[Decimal, Decimal]], names: Mapping[str, str]
) -> list[BalanceLine]:
    """Each account with postings, by code; in a sound journal the debits and credits add up equal."""
    return [
        BalanceLine(code, names.get(code, code), debit, credit)
        for code, (debit, credit) in sorted(totals.items())
    ]


#: The accounts that hold an order's deposits, in the order they are drawn on.
DEPOSIT_ACCOUNTS = (Account.PREORDER_DEPOSITS, Account.DEPOSITS)


def deposits_held(balances: Mapping[str, Decimal]) -> dict[Account, Decimal]:
    """What each deposit account holds for an order, from its balances (credits are positive here)."""
    return {account: max(-balances.get(account, ZERO), ZERO) for account in DEPOSIT_ACCOUNTS}


def draw_deposits(amount: Decimal, held: Mapping[Account, Decimal]) -> list[tuple[Account, Decimal]]:
    """Up to `amount` taken from the deposits held (preorder deposits first), as debits."""
    drawn: list[tuple[Account, Decimal]] = []
    left = max(amount, ZERO)
    for account in DEPOSIT_ACCOUNTS:
        take = min(left, held.get(account, ZERO))
        drawn.append((account, take))
        left -= take
    return drawn
