"""KPI rollup of shipped lines: lines alike in what the shipment figures need, counted

`shipped_days` counts order lines with a shipment by (first and last shipment day, whether the
first carried the whole line, whether the line is complete, whether it was ever promised, its
first dated promise, and the day its order was placed when it has no dated promise): exactly the
groups `adapters/db/kpis.shipped_lines` reads, so a year of them is a few thousand rows. "None"
is stored as the date 0001-01-01 (a key column cannot be NULL). Kept by triggers in the same
transaction as the change: a change to a line or to its promise takes one from the line's old
group and adds one to its new one. On PostgreSQL a line's own changes are handled per row, only
when a column the rollup keys on changed (the trigger's WHEN: placing orders and moving
allocations run nothing), promises per statement over its transition tables. Filled from the
existing rows here.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

KEYS = (
    "first_shipped_on",
    "last_shipped_on",
    "whole_at_once",
    "complete",
    "promised",
    "first_promise",
    "ordered_on",
)
_COLUMNS = ", ".join(KEYS)
#: A line `x`'s order and promise, if any.
_WITH_PROMISE = "JOIN sales_orders so ON so.id = x.order_id LEFT JOIN line_promises lp ON lp.line_id = x.id"


def _shipped(line: str) -> str:
    return f"{line}.first_shipped_on IS NOT NULL AND {line}.last_shipped_on IS NOT NULL"


def _add(parts: list[str], *, postgres: bool) -> str:
    """Add each part's (key..., delta) rows into shipped_days, grouped."""
    excluded = "EXCLUDED" if postgres else "excluded"
    current = "shipped_days.lines" if postgres else "lines"
    having = "HAVING SUM(delta) <> 0"
    return (
        f"INSERT INTO shipped_days ({_COLUMNS}, lines) "
        f"SELECT {_COLUMNS}, SUM(delta) FROM ({' UNION ALL '.join(parts)}) AS changes "
        f"WHERE true GROUP BY {_COLUMNS} {having} "
        f"ON CONFLICT ({_COLUMNS}) DO UPDATE SET lines = {current} + {excluded}.lines"
    )


def _part(line: str, promised: str, first_date: str, source: str, delta: int, *, postgres: bool) -> str:
    names = ", ".join(
        f"{expr} AS {name}"
        for expr, name in zip(_split(line, promised, first_date, postgres), KEYS, strict=True)
    )
    return f"SELECT {names}, {delta} AS delta FROM {source} WHERE {_shipped(line)}"


def _split(line: str, promised: str, first_date: str, postgres: bool) -> list[str]:
    none = "DATE '0001-01-01'" if postgres else "'0001-01-01'"
    day = "CAST(so.ordered_at AS date)" if postgres else "date(so.ordered_at)"
    false = "false" if postgres else "0"
    return [
        f"{line}.first_shipped_on",
        f"{line}.last_shipped_on",
        f"COALESCE({line}.shipped_whole_at_once, {false})",
        f"({line}.shipped + {line}.cancelled = {line}.quantity)",
        promised,
        f"COALESCE({first_date}, {none})",
        f"CASE WHEN {first_date} IS NULL THEN {day} ELSE {none} END",
    ]


def _postgres() -> list[str]:
    def promise_part(table: str, delta: int, *, gone: bool = False) -> str:
        source = (
            f"{table} p JOIN order_lines x ON x.id = p.line_id JOIN sales_orders so ON so.id = x.order_id"
        )
        if gone:  # the line as it is without this promise
            return _part("x", "false", "NULL::date", source, delta, postgres=True)
        return _part("x", "true", "p.first_date", source, delta, postgres=True)

    changed_promises = (
        "(SELECT n.* FROM {new} n JOIN old_promises o ON o.line_id = n.line_id "
        "WHERE o.first_date IS DISTINCT FROM n.first_date)"
    )
    changed_old = (
        "(SELECT o.* FROM old_promises o JOIN new_promises n ON o.line_id = n.line_id "
        "WHERE o.first_date IS DISTINCT FROM n.first_date)"
    )
    bodies = {
        "shipped_days_promises_insert": (
            "line_promises",
            "INSERT",
            "NEW TABLE AS new_promises",
            [promise_part("new_promises", -1, gone=True), promise_part("new_promises", 1)],
        ),
        "shipped_days_promises_update": (
            "line_promises",
            "UPDATE",
            "OLD TABLE AS old_promises NEW TABLE AS new_promises",
            [promise_part(changed_old, -1), promise_part(changed_promises.format(new="new_promises"), 1)],
        ),
        "shipped_days_promises_delete": (
            "line_promises",
            "DELETE",
            "OLD TABLE AS old_promises",
            [promise_part("old_promises", -1), promise_part("old_promises", 1, gone=True)],
        ),
    }
    statements = []
    for name, (table, operation, tables, parts) in bodies.items():
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_add(parts, postgres=True)}; RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )

    # A line's own changes: per row, and only when what the rollup keys on changed (checked by the
    # trigger's WHEN, so taking an order or moving an allocation runs nothing).
    def row_part(row: str, delta: int) -> str:
        source = f"sales_orders so LEFT JOIN line_promises lp ON lp.line_id = {row}.id"
        part = _part(row, "(lp.line_id IS NOT NULL)", "lp.first_date", source, delta, postgres=True)
        return f"{part} AND so.id = {row}.order_id"

    rows = {
        "shipped_days_lines_insert": (
            "INSERT ON order_lines FOR EACH ROW WHEN (NEW.first_shipped_on IS NOT NULL)",
            [row_part("NEW", 1)],
        ),
        "shipped_days_lines_update": (
            f"UPDATE ON order_lines FOR EACH ROW WHEN (({_old(_LINE_COLUMNS)}) IS DISTINCT FROM "
            f"({_new(_LINE_COLUMNS)}))",
            [row_part("OLD", -1), row_part("NEW", 1)],
        ),
    }
    for name, (when, parts) in rows.items():
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_add(parts, postgres=True)}; RETURN NULL; END $$"
        )
        statements.append(f"CREATE TRIGGER {name} AFTER {when} EXECUTE FUNCTION {name}()")
    return statements


#: The line's columns the rollup keys on.
_LINE_COLUMNS = (
    "shipped",
    "cancelled",
    "quantity",
    "first_shipped_on",
    "last_shipped_on",
    "shipped_whole_at_once",
)


def _old(columns: tuple[str, ...]) -> str:
    return ", ".join(f"OLD.{c}" for c in columns)


def _new(columns: tuple[str, ...]) -> str:
    return ", ".join(f"NEW.{c}" for c in columns)


def _sqlite() -> list[str]:
    def line_part(row: str, delta: int) -> str:
        source = f"sales_orders so LEFT JOIN line_promises lp ON lp.line_id = {row}.id"
        part = _part(row, "(lp.line_id IS NOT NULL)", "lp.first_date", source, delta, postgres=False)
        return f"{part} AND so.id = {row}.order_id"

    def promise_part(row: str, delta: int, *, gone: bool = False) -> str:
        source = "order_lines x JOIN sales_orders so ON so.id = x.order_id"
        promised, first_date = ("0", "NULL") if gone else ("1", f"{row}.first_date")
        part = _part("x", promised, first_date, source, delta, postgres=False)
        return f"{part} AND x.id = {row}.line_id"

    line_columns = ", ".join(_LINE_COLUMNS)
    triggers = {
        "shipped_days_lines_insert": (
            "AFTER INSERT ON order_lines WHEN NEW.first_shipped_on IS NOT NULL",
            [line_part("NEW", 1)],
        ),
        "shipped_days_lines_update": (
            f"AFTER UPDATE OF {line_columns} ON order_lines WHEN "
            + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _LINE_COLUMNS),
            [line_part("OLD", -1), line_part("NEW", 1)],
        ),
        "shipped_days_promises_insert": (
            "AFTER INSERT ON line_promises",
            [promise_part("NEW", -1, gone=True), promise_part("NEW", 1)],
        ),
        "shipped_days_promises_update": (
            "AFTER UPDATE OF first_date ON line_promises WHEN OLD.first_date IS NOT NEW.first_date",
            [promise_part("OLD", -1), promise_part("NEW", 1)],
        ),
        "shipped_days_promises_delete": (
            "AFTER DELETE ON line_promises",
            [promise_part("OLD", -1), promise_part("OLD", 1, gone=True)],
        ),
    }
    return [
        f"CREATE TRIGGER {name} {when} BEGIN {_add(parts, postgres=False)}; END"
        for name, (when, parts) in triggers.items()
    ]


def upgrade() -> None:
    op.create_table(
        "shipped_days",
        sa.Column("first_shipped_on", sa.Date(), nullable=False),
        sa.Column("last_shipped_on", sa.Date(), nullable=False),
        sa.Column("whole_at_once", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("promised", sa.Boolean(), nullable=False),
        sa.Column("first_promise", sa.Date(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEYS, name="pk_shipped_days"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    source = f"order_lines x {_WITH_PROMISE}"
    op.execute(
        _add(
            [_part("x", "(lp.line_id IS NOT NULL)", "lp.first_date", source, 1, postgres=postgres)],
            postgres=postgres,
        )
    )
    for statement in _postgres() if postgres else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    names = (
        ("shipped_days_lines_insert", "order_lines"),
        ("shipped_days_lines_update", "order_lines"),
        ("shipped_days_promises_insert", "line_promises"),
        ("shipped_days_promises_update", "line_promises"),
        ("shipped_days_promises_delete", "line_promises"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in names:
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
        if postgres:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("shipped_days")
