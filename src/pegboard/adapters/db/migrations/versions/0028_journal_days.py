"""KPI rollup of the journal: debits and credits per day and account

`journal_days` holds, per day booked and account, the sum of that day's journal lines. The KPIs'
money (deposits held at each day's end, revenue booked each day) reads it instead of every
journal line: a year of 100k orders is about 680k lines but a few thousand rollup rows. Kept by
triggers in the same transaction as each entry, whatever writes it (services, imports, SQL):
after every insert into `journal_lines` (the journal is append-only: migration 0008's triggers
refuse UPDATE and DELETE, so nothing else changes it). PostgreSQL's trigger runs once per
statement over its transition table, SQLite's per row. A row per day and account adds no wait:
bookings already queue on the journal counter's row to number their entries. Filled from the
existing lines here.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.adapters.db.types import ExactDecimal

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_POSTGRES = [
    """
    CREATE FUNCTION journal_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO journal_days (booked_on, account, debit, credit)
        SELECT je.booked_on, n.account, SUM(n.debit), SUM(n.credit)
        FROM new_lines n JOIN journal_entries je ON je.id = n.entry_id
        GROUP BY je.booked_on, n.account
        ON CONFLICT (booked_on, account) DO UPDATE SET debit = journal_days.debit + EXCLUDED.debit,
            credit = journal_days.credit + EXCLUDED.credit;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER journal_days_add AFTER INSERT ON journal_lines REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_days_add()
    """,
]

_SQLITE = [
    """
    CREATE TRIGGER journal_days_add AFTER INSERT ON journal_lines BEGIN
        INSERT INTO journal_days (booked_on, account, debit, credit)
        SELECT booked_on, NEW.account, NEW.debit, NEW.credit FROM journal_entries WHERE id = NEW.entry_id
        ON CONFLICT (booked_on, account) DO UPDATE SET debit = debit + excluded.debit,
            credit = credit + excluded.credit;
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "journal_days",
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("account", sa.String(10), nullable=False),
        sa.Column("debit", ExactDecimal(), nullable=False),
        sa.Column("credit", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("booked_on", "account", name="pk_journal_days"),
    )
    op.execute(
        """
        INSERT INTO journal_days (booked_on, account, debit, credit)
        SELECT je.booked_on, jl.account, SUM(jl.debit), SUM(jl.credit)
        FROM journal_lines jl JOIN journal_entries je ON je.id = jl.entry_id
        GROUP BY je.booked_on, jl.account
        """
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER journal_days_add ON journal_lines")
        op.execute("DROP FUNCTION journal_days_add()")
    else:
        op.execute("DROP TRIGGER journal_days_add")
    op.drop_table("journal_days")
