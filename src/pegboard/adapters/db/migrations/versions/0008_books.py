"""books: the journal (entries and their lines), append-only

New tables only: nothing existing is altered. A journal row is never updated or deleted (a
trigger refuses it, on PostgreSQL and on SQLite); a correction is a reversing entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("journal_entries", "journal_lines")
#: Named in the error so the application can tell the user which rule refused the change.
APPEND_ONLY = (
    "the journal is append-only (journal_append_only): an entry is never {verb}; book a reversing entry"
)

_POSTGRES_FUNCTION = f"""
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = replace('{APPEND_ONLY}', '{{verb}}', lower(TG_OP) || 'd'),
        ERRCODE = 'integrity_constraint_violation',
        CONSTRAINT = 'journal_append_only',
        TABLE = TG_TABLE_NAME;
END
$$
"""


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _units() -> sa.BigInteger:
    return sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("id", _id(), primary_key=True),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("order_ref", sa.String(100)),
        sa.Column("reference", sa.String(120), nullable=False, server_default=""),
        sa.Column("memo", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("entry_no", name=op.f("uq_journal_entries_entry_no")),
    )
    op.create_table(
        "journal_lines",
        sa.Column("id", _id(), primary_key=True),
        sa.Column("entry_id", _id(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(10), nullable=False),
        sa.Column("debit", _units(), nullable=False, server_default="0"),
        sa.Column("credit", _units(), nullable=False, server_default="0"),
        sa.Column("order_ref", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_lines")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_journal_lines_entry_id_journal_entries")
        ),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0",
            name=op.f("ck_journal_lines_one_sided"),
        ),
    )
    op.create_index(op.f("ix_journal_lines_entry_id"), "journal_lines", ["entry_id"])
    op.create_index("ix_journal_lines_order_account", "journal_lines", ["order_ref", "account"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION journal_append_only()"
            )
    else:
        for table in TABLES:
            for operation, verb in (("UPDATE", "updated"), ("DELETE", "deleted")):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY.format(verb=verb)}'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION journal_append_only()")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_index("ix_journal_lines_order_account", table_name="journal_lines")
    op.drop_index(op.f("ix_journal_lines_entry_id"), table_name="journal_lines")
    op.drop_table("journal_lines")
    op.drop_table("journal_entries")
