"""The journal in SQL: entries appended with their lines, and the sums the books read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, select, update

from pegboard.adapters.db import tables as t
from pegboard.domain.books import Account, JournalEntry, OrderCharges
from pegboard.services.ports import JournalRow

ZERO = Decimal(0)
#: The ref_counters row that numbers journal entries.
JOURNAL_COUNTER = "journal"


class SqlJournal:
    """Entries are numbered 1, 2, 3... in the order booked, under the journal counter's row lock."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.charges = SqlCharges(conn)

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

    def cash_by_reference(self, order_ref: str, reference: str) -> tuple[Decimal, Decimal]:
        """(money received, money paid back) on the order's entries with this reference."""
        entries, lines = t.journal_entries, t.journal_lines
        debit, credit = self.conn.execute(
            select(func.sum(lines.c.debit), func.sum(lines.c.credit))
            .join(entries, entries.c.id == lines.c.entry_id)
            .where(
                lines.c.order_ref == order_ref,
                lines.c.account == Account.CASH.value,
                entries.c.reference == reference,
            )
        ).one()
        return debit or ZERO, credit or ZERO

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


class SqlCharges:
    """An order's tax, discounts and shipping: one row per amount, by line where it has one."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, order_ref: str, charges: OrderCharges) -> None:
        order_id = self.conn.execute(
            select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order_ref)
        ).scalar_one()
        rows: list[dict[str, object]] = [
            {"order_id": order_id, "line_no": line_no, "kind": kind, "amount": amount}
            for kind, amounts in charges.by_line().items()
            for line_no, amount in sorted(amounts.items())
            if amount
        ]
        rows += [
            {"order_id": order_id, "line_no": None, "kind": kind, "amount": amount}
            for kind, amount in (("shipping", charges.shipping), ("shipping_tax", charges.shipping_tax))
            if amount
        ]
        if rows:
            self.conn.execute(insert(t.order_charges), rows)

    def replace(self, order_ref: str, charges: OrderCharges) -> None:
        """The order's charges from now on (what they were is in the journal's entries)."""
        orders = select(t.sales_orders.c.id).where(t.sales_orders.c.order_ref == order_ref)
        self.conn.execute(
            delete(t.order_charges).where(t.order_charges.c.order_id.in_(orders.scalar_subquery()))
        )
        self.add(order_ref, charges)

    def of(self, order_ref: str) -> OrderCharges:
        oc = t.order_charges
        rows = self.conn.execute(
            select(oc.c.line_no, oc.c.kind, oc.c.amount)
            .join(t.sales_orders, t.sales_orders.c.id == oc.c.order_id)
            .where(t.sales_orders.c.order_ref == order_ref)
        ).all()
        by_line: dict[str, dict[int, Decimal]] = {"tax": {}, "discount": {}, "included_tax": {}}
        order_wide: dict[str, Decimal] = {"shipping": ZERO, "shipping_tax": ZERO}
        for line_no, kind, amount in rows:
            if line_no is None:
                order_wide[kind] = order_wide.get(kind, ZERO) + amount
            else:
                by_line[kind][line_no] = by_line[kind].get(line_no, ZERO) + amount
        return OrderCharges(
            by_line["tax"],
            by_line["discount"],
            order_wide["shipping"],
            order_wide["shipping_tax"],
            by_line["included_tax"],
        )
