"""a promise's parts are kept once per distinct value: `promise_parts` (`parts_key`, `parts`),
and `line_promises.parts` is no longer written (NULL); readers join `promise_parts` on `parts_key`

A whole plan at L stores 792,670 promises with 169,205 distinct parts texts: the column was 211
of a row's 388 bytes, 0.6 to 0.9 s of the first plan's COPY on the server and about 1 s of the
client's work (a text per row). `parts_key` (migration 0030) already names each distinct parts.
The column stays, nullable, so that nothing that names it breaks; its rows are NULL from here on
and the same text is `promise_parts.parts` for the row's `parts_key`. The existing rows' parts are
moved there first. The column is dropped and added again rather than updated to NULL: on
PostgreSQL both are instant (no rewrite of a table of a million rows); it then stands last.
Parts no longer named by a promise are deleted by housekeeping (`pegboard housekeeping`).

Downgrade writes every row's parts back from `promise_parts` (a row holding its own text keeps
it) and drops the table. SQLite cannot make a column NOT NULL in place: there `parts` comes back
as a new column with `DEFAULT ''` (every row is written; the old code always gives a text).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promise_parts",
        sa.Column("parts_key", sa.BigInteger(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("parts_key", name="pk_promise_parts"),
    )
    # Equal keys are equal texts (the first 8 bytes of the text's MD5): any one of them will do.
    op.execute(
        "INSERT INTO promise_parts (parts_key, parts) "
        "SELECT parts_key, MIN(parts) FROM line_promises GROUP BY parts_key"
    )
    op.drop_column("line_promises", "parts")
    op.add_column("line_promises", sa.Column("parts", sa.Text(), nullable=True))


def downgrade() -> None:
    # A row written with its own text since (by hand: the store writes none) keeps it.
    own = "COALESCE((SELECT pp.parts FROM promise_parts AS pp WHERE pp.parts_key = line_promises.parts_key), "
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE line_promises SET parts = {own}parts)")
        op.alter_column("line_promises", "parts", nullable=False)
    else:
        op.alter_column("line_promises", "parts", new_column_name="parts_written")
        op.add_column("line_promises", sa.Column("parts", sa.Text(), nullable=False, server_default=""))
        op.execute(f"UPDATE line_promises SET parts = {own}parts_written)")
        op.drop_column("line_promises", "parts_written")
    op.drop_table("promise_parts")
