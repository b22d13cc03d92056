"""a whole plan's moved promises are rewritten on their own pages (PostgreSQL's heap-only
updates): the index of an item's promises no longer carries the moving `promised_date` and
`parts_key`, and the table's pages are left half empty for the next version of their rows

Every morning most promises move a day (their planned orders slide), and each moved row was a
new row version with a new entry in every index of the table: no update could be heap-only while
an index held a column it changed. Now none does, so a moved promise's new version goes on its
own page (half of each page is kept free for it, `fillfactor` 50) with no index written; the
item's figures read the two values from the rows, by the same index. The rows are rewritten once
here (`CLUSTER`, in line id order as the plan writes them) so their pages get that room at once.

SQLite has neither included columns nor a fill factor: its index is `item_id` alone before and
after, and nothing changes there.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_INDEX = "ix_line_promises_item_id"


def upgrade() -> None:
    _rebuild(include=["line_id"], storage="SET (fillfactor = 50)")


def downgrade() -> None:
    _rebuild(include=["line_id", "promised_date", "parts_key"], storage="RESET (fillfactor)")


def _rebuild(*, include: list[str], storage: str) -> None:
    """PostgreSQL: the item index with these included columns, the table's pages filled as
    `storage` says (rewritten now, the indexes with them)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(_INDEX, table_name="line_promises")
    op.execute(f"ALTER TABLE line_promises {storage}")
    op.execute("CLUSTER line_promises USING pk_line_promises")
    op.execute("ALTER TABLE line_promises SET WITHOUT CLUSTER")
    op.create_index(_INDEX, "line_promises", ["item_id"], postgresql_include=include)
