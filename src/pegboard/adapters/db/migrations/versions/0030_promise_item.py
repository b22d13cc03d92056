"""a line promise keeps its line's item and a key of its parts, so one SKU's backorder figures
read its promises from their own index (`views/backorders.py`: the hottest SKU's figures joined
every stored promise before)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

#: `parts_key` in SQL: the first 8 bytes of the parts' MD5 as a signed 64-bit integer.
_PARTS_KEY = "('x' || left(md5(parts), 16))::bit(64)::bigint"


def upgrade() -> None:
    # Plain ADD COLUMNs: rebuilding the table (SQLite's batch mode) would break triggers reading
    # it. SQLite adds a NOT NULL column only with a default, so the promises already there get 0
    # for a moment, then their values; PostgreSQL then drops the defaults (SQLite cannot).
    item_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    for name, kind in (("item_id", item_id), ("parts_key", sa.BigInteger())):
        op.add_column("line_promises", sa.Column(name, kind, nullable=False, server_default="0"))
    op.execute(
        "UPDATE line_promises SET item_id = "
        "(SELECT order_lines.item_id FROM order_lines WHERE order_lines.id = line_promises.line_id)"
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"UPDATE line_promises SET parts_key = {_PARTS_KEY}")
        op.alter_column("line_promises", "item_id", server_default=None)
        op.alter_column("line_promises", "parts_key", server_default=None)
    else:
        _fill_parts_keys()
    op.create_index(
        "ix_line_promises_item_id",
        "line_promises",
        ["item_id"],
        postgresql_include=["line_id", "promised_date", "parts_key"],
    )


def _fill_parts_keys() -> None:
    """SQLite has no MD5: the key is worked out in Python, as the promise store does."""
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    driver.create_function("pegboard_parts_key", 1, _parts_key, deterministic=True)
    op.execute("UPDATE line_promises SET parts_key = pegboard_parts_key(parts)")


def _parts_key(parts: str) -> int:
    return int.from_bytes(hashlib.md5(parts.encode()).digest()[:8], "big", signed=True)


def downgrade() -> None:
    op.drop_index("ix_line_promises_item_id", table_name="line_promises")
    op.drop_column("line_promises", "parts_key")
    op.drop_column("line_promises", "item_id")
