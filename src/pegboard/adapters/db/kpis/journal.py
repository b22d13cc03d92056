"""The journal's facts: deposits held and revenue shipped."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.kpis.scope import ZERO
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain.books import Account
from pegboard.domain.kpis import Period


def journal_figures(conn: Connection, period: Period) -> tuple[Decimal, Decimal]:
    """(Deposits held at the period's end, revenue booked in the period) from the journal."""
    je, jl = t.journal_entries.c, t.journal_lines.c
    net = func.sum(jl.credit - jl.debit, type_=ExactDecimal())
    deposits = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(jl.account == Account.DEPOSITS.value, je.booked_on <= period.end)
    ).scalar()
    revenue = conn.execute(
        select(net)
        .join(t.journal_entries, je.id == jl.entry_id)
        .where(
            jl.account == Account.REVENUE.value,
            je.booked_on >= period.start,
            je.booked_on <= period.end,
        )
    ).scalar()
    return deposits or ZERO, revenue or ZERO
