"""The journal's facts: deposits held (backorders' and preorders' apart) and revenue shipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select, type_coerce

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis.scope import ZERO
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.books import Account
from pegboard.domain.kpis import Period

#: The accounts the KPIs read, each summed as credits less debits.
ACCOUNTS = (Account.DEPOSITS.value, Account.PREORDER_DEPOSITS.value, Account.REVENUE.value)


@dataclass(frozen=True)
class MoneyDay:
    """One day's money: deposits held at its end (backorders', preorders') and revenue booked on it."""

    deposits_held: Decimal
    preorder_deposits_held: Decimal
    revenue_shipped: Decimal


@dataclass(frozen=True)
class JournalFigures:
    """The period's money from the journal: at its end and in it, and day by day."""

    deposits_held: Decimal
    preorder_deposits_held: Decimal
    revenue_shipped: Decimal
    daily: dict[date, MoneyDay]


def journal_money(conn: Connection, period: Period) -> JournalFigures:
    """Deposits held at the end of the period and of each of its days, and revenue booked in it and on
    each day, from the journal's daily rollup (`journal_days`: a row per day and account, not per
    line, kept by triggers from migration 0028)."""
    d = t.journal_days.c
    rows = conn.execute(
        select(d.booked_on, d.account, type_coerce(d.credit - d.debit, ExactDecimal())).where(
            d.account.in_(ACCOUNTS), d.booked_on <= period.end
        )
    ).all()
    on_day: dict[tuple[date, str], Decimal] = {}
    deposits, preorders = ZERO, ZERO
    for day, account, amount in rows:
        amount = amount or ZERO
        if day < period.start:
            if account == Account.DEPOSITS.value:
                deposits += amount
            elif account == Account.PREORDER_DEPOSITS.value:
                preorders += amount
            continue
        on_day[(day, account)] = amount
    daily: dict[date, MoneyDay] = {}
    revenue = ZERO
    for day in period.days:
        deposits += on_day.get((day, Account.DEPOSITS.value), ZERO)
        preorders += on_day.get((day, Account.PREORDER_DEPOSITS.value), ZERO)
        earned = on_day.get((day, Account.REVENUE.value), ZERO)
        revenue += earned
        daily[day] = MoneyDay(deposits, preorders, earned)
    return JournalFigures(deposits, preorders, revenue, daily)


def journal_figures(conn: Connection, period: Period) -> tuple[Decimal, Decimal]:
    """(Deposits held at the period's end, revenue booked in the period) from the journal."""
    found = journal_money(conn, period)
    return found.deposits_held, found.revenue_shipped
