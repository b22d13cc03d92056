"""The journal and the trial balance as JSON and CSV rows (CLI and REST give the same)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pegboard.domain.books import BalanceLine
from pegboard.services.ports import JournalRow
from pegboard.services.valuation import Valuation
from pegboard.views.json import number

#: The columns of `pegboard journal --csv`, in order (DESIGN.md contract).
JOURNAL_COLUMNS = ("date", "entry", "account", "debit", "credit", "order_ref", "memo")


def journal(rows: Sequence[JournalRow], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One object per journal line: the contract's keys, plus the account's name."""
    return [
        {
            "date": row.date.isoformat(),
            "entry": row.entry,
            "account": row.account,
            "account_name": names.get(row.account, row.account),
            "debit": number(row.debit),
            "credit": number(row.credit),
            "order_ref": row.order_ref,
            "memo": row.memo,
        }
        for row in rows
    ]


def journal_csv_rows(rows: Sequence[JournalRow]) -> list[list[str]]:
    """The journal's lines as CSV cells: amounts exact, no account names (the columns are fixed)."""
    return [
        [
            row.date.isoformat(),
            str(row.entry),
            row.account,
            _plain(row.debit),
            _plain(row.credit),
            row.order_ref or "",
            row.memo,
        ]
        for row in rows
    ]


def balance(lines: Sequence[BalanceLine], currency: str) -> dict[str, Any]:
    """The trial balance: each account's debits, credits and balance, and the two totals."""
    debit = sum((line.debit for line in lines), Decimal(0))
    credit = sum((line.credit for line in lines), Decimal(0))
    return {
        "currency": currency,
        "accounts": [
            {
                "account": line.account,
                "name": line.name,
                "debit": number(line.debit),
                "credit": number(line.credit),
                "balance": number(line.balance),
            }
            for line in lines
        ],
        "total_debit": number(debit),
        "total_credit": number(credit),
        "balanced": debit == credit,
    }


def _plain(amount: Decimal) -> str:
    return f"{amount:f}"


def valuation(found: Valuation, currency: str) -> dict[str, Any]:
    """The stock value: per item on hand, value and unit cost (null with nothing held), and the total."""
    return {
        "as_of": found.as_of.isoformat() if found.as_of is not None else None,
        "currency": currency,
        "items": [
            {
                "sku": item.sku,
                "on_hand": number(item.on_hand),
                "value": number(item.value),
                "unit_cost": None if item.unit_cost is None else number(item.unit_cost),
            }
            for item in found.items
        ],
        "total": number(found.total),
    }
