"""the shipped-lines rollup follows a promise's first date per row, and only when it changed:
PostgreSQL's trigger on `line_promises` UPDATE ran once per statement over transition tables that
held every updated row, old and new, to find the few whose `first_date` changed

A whole plan's morning updates 615k promises at L (their dates slide a day) and keeps every first
date: the statement trigger still had PostgreSQL keep all 615k old and new rows (430 MB spilled
to temporary files) and join them, only to find none changed. Now the trigger is a row trigger
with a WHEN on `first_date`, as SQLite's has always been (0016): an UPDATE that does not change a
first date queues nothing, and one that changes a few does the rollup's -1/+1 for those rows.

The rollup's counts are the same; the row trigger also counts a row whose `line_id` changed with
its first date against its old and new lines, as SQLite's does (the statement trigger matched old
and new rows by `line_id` and so missed it). An order line with a promise cannot be renumbered
(0032), so that is an UPDATE in SQL by hand. SQLite is unchanged.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_NAME = "shipped_days_promises_update"
_KEYS = "first_shipped_on, last_shipped_on, whole_at_once, complete, promised, first_promise, ordered_on"
_NONE = "DATE '0001-01-01'"


def _part(first: str, source: str, delta: int) -> str:
    """The rollup's key, with `delta`, of the line `x` in `source` (with its order `so`) when it
    has shipped, its promise's first date being `first`."""
    return (
        "SELECT x.first_shipped_on AS first_shipped_on, x.last_shipped_on AS last_shipped_on, "
        "COALESCE(x.shipped_whole_at_once, false) AS whole_at_once, "
        "(x.shipped + x.cancelled = x.quantity) AS complete, true AS promised, "
        f"COALESCE({first}, {_NONE}) AS first_promise, "
        f"CASE WHEN {first} IS NULL THEN CAST(so.ordered_at AS date) ELSE {_NONE} END AS ordered_on, "
        f"{delta} AS delta FROM {source} "
        "WHERE x.first_shipped_on IS NOT NULL AND x.last_shipped_on IS NOT NULL"
    )


def _row_part(row: str, delta: int) -> str:
    """The part for the trigger's OLD or NEW row."""
    source = f"order_lines x JOIN sales_orders so ON so.id = x.order_id AND x.id = {row}.line_id"
    return _part(f"{row}.first_date", source, delta)


def _statement_part(rows: str, delta: int) -> str:
    """The part for transition table rows `rows` (as 0016 made it)."""
    source = f"{rows} p JOIN order_lines x ON x.id = p.line_id JOIN sales_orders so ON so.id = x.order_id"
    return _part("p.first_date", source, delta)


def _function(parts: list[str]) -> str:
    return (
        f"CREATE FUNCTION {_NAME}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO shipped_days ({_KEYS}, lines) "
        f"SELECT {_KEYS}, SUM(delta) FROM ({' UNION ALL '.join(parts)}) AS changes "
        f"WHERE true GROUP BY {_KEYS} HAVING SUM(delta) <> 0 "
        "ON CONFLICT (first_shipped_on, last_shipped_on, whole_at_once, complete, promised, "
        "first_promise, ordered_on) DO UPDATE SET lines = shipped_days.lines + EXCLUDED.lines; "
        "RETURN NULL; END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _drop()
    op.execute(_function([_row_part("OLD", -1), _row_part("NEW", 1)]))
    op.execute(
        f"CREATE TRIGGER {_NAME} AFTER UPDATE OF first_date ON line_promises FOR EACH ROW "
        f"WHEN (OLD.first_date IS DISTINCT FROM NEW.first_date) EXECUTE FUNCTION {_NAME}()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _drop()
    changed = (
        "(SELECT {row}.* FROM old_promises o JOIN new_promises n ON o.line_id = n.line_id "
        "WHERE o.first_date IS DISTINCT FROM n.first_date)"
    )
    op.execute(
        _function([_statement_part(changed.format(row="o"), -1), _statement_part(changed.format(row="n"), 1)])
    )
    op.execute(
        f"CREATE TRIGGER {_NAME} AFTER UPDATE ON line_promises "
        "REFERENCING OLD TABLE AS old_promises NEW TABLE AS new_promises "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_NAME}()"
    )


def _drop() -> None:
    op.execute(f"DROP TRIGGER {_NAME} ON line_promises")
    op.execute(f"DROP FUNCTION {_NAME}()")
