"""The books: a chart of accounts and journal entries that always balance, in exact money.

A backordered sale is a customer deposit (a liability) until it ships; each shipment turns what
left into revenue and its standard cost into cost of goods sold; a cancelled paid remainder
becomes a refund due. The rules here decide the lines; storing them is an adapter's job.

The accounts and entries are in `journal`, the entries each business event books in `postings`,
balances and deposits in `balances`, an order's tax, shipping and discounts in `charges`.
"""

from __future__ import annotations

from pegboard.domain.books.balances import (
    DEPOSIT_ACCOUNTS,
    BalanceLine,
    deposits_held,
    draw_deposits,
    trial_balance,
)
from pegboard.domain.books.charges import Earned, OrderCharges, charges_change, share, shipment_earning
from pegboard.domain.books.journal import (
    CENT,
    DEFAULT_NAMES,
    ZERO,
    Account,
    EntryKind,
    JournalEntry,
    JournalLine,
    UnbalancedEntry,
    account_names,
    entry,
    money,
)
from pegboard.domain.books.postings import (
    cancellation,
    count,
    payment,
    production,
    receipt,
    refund,
    shipment,
    standard_cost,
)

__all__ = [
    "CENT",
    "DEFAULT_NAMES",
    "DEPOSIT_ACCOUNTS",
    "ZERO",
    "Account",
    "BalanceLine",
    "Earned",
    "EntryKind",
    "JournalEntry",
    "JournalLine",
    "OrderCharges",
    "UnbalancedEntry",
    "account_names",
    "cancellation",
    "charges_change",
    "count",
    "deposits_held",
    "draw_deposits",
    "entry",
    "money",
    "payment",
    "production",
    "receipt",
    "refund",
    "share",
    "shipment",
    "shipment_earning",
    "standard_cost",
    "trial_balance",
]
