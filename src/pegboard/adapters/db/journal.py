"""The journal in SQL: entries appended with their lines, and the sums the books read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, func, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.domain.books import JournalEntry
from pegboard.services.ports import JournalRow

ZERO = Decimal(0)
#: The ref_counters row that numbers journal entries.
JOURNAL_COUNTER = "journal"


class SqlJournal:
    """Entries are numbered 1, 2, 3... in the order booked, under the journal counter's row lock."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def add(self, entry: JournalEntry) -> int:
        """Append a balanced entry and its lines; returns its number."""
        number = self._next_number()
        entry_id = self.conn.execute(
            insert(t.journal_entries).returning(t.journal_entries.c.id),
            {
                "entry_no": number,
                "booked_on": entry.booked_on,
                "kind": entry.kind.value,
                "order_ref": entry.order_ref,
                "reference": entry.reference,
                "memo": entry.memo,
                "created_at": self.now,
            },
        ).scalar_one()
        self.conn.execute(
            insert(t.journal_lines),
            [
                {
                    "entry_id": entry_id,
                    "line_no": n,
                    "account": line.account.value,
                    "debit": line.debit,
                    "credit": line.credit,
                    "order_ref": entry.order_ref,
                }
                for n, line in enumerate(entry.lines, start=1)
            ],
        )
        return number

    def _next_number(self) -> int:
        """The next entry number, taken under a row lock so concurrent bookings queue, never clash."""
        counter = t.ref_counters
        current = self.conn.execute(
            select(counter.c.value).where(counter.c.name == JOURNAL_COUNTER).with_for_update()
        ).scalar()
        if current is None:
            last = self.conn.execute(
                select(func.coalesce(func.max(t.journal_entries.c.entry_no), 0))
            ).scalar_one()
            number = int(last) + 1
            self.conn.execute(insert(counter).values(name=JOURNAL_COUNTER, value=number))
        else:
            number = int(current) + 1
            self.conn.execute(update(counter).where(counter.c.name == JOURNAL_COUNTER).values(value=number))
        return number

    def order_balances(self, order_ref: str) -> dict[str, Decimal]:
        """Each account's balance (debits minus credits) on the order's lines."""
        lines = t.journal_lines
        rows = self.conn.execute(
            select(lines.c.account, func.sum(lines.c.debit), func.sum(lines.c.credit))
            .where(lines.c.order_ref == order_ref)
            .group_by(lines.c.account)
        )
        return {account: (debit or ZERO) - (credit or ZERO) for account, debit, credit in rows}

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Each account's total debits and credits."""
        lines = t.journal_lines
        rows = self.conn.execute(
            select(lines.c.account, func.sum(lines.c.debit), func.sum(lines.c.credit)).group_by(
                lines.c.account
            )
        )
        return {account: (debit or ZERO, credit or ZERO) for account, debit, credit in rows}

    def rows(self, *, start: date | None = None, end: date | None = None) -> list[JournalRow]:
        """The journal's lines in entry order, booked between `start` and `end` (both included)."""
        entries, lines = t.journal_entries, t.journal_lines
        query = (
            select(
                entries.c.booked_on,
                entries.c.entry_no,
                lines.c.account,
                lines.c.debit,
                lines.c.credit,
                entries.c.order_ref,
                entries.c.memo,
            )
            .join(entries, entries.c.id == lines.c.entry_id)
            .order_by(entries.c.entry_no, lines.c.line_no)
        )
        if start is not None:
            query = query.where(entries.c.booked_on >= start)
        if end is not None:
            query = query.where(entries.c.booked_on <= end)
        return [JournalRow(*row) for row in self.conn.execute(query)]
