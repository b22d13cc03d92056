"""ledger rules in the database: CHECK constraints and an append-only ledger

Items' on hand is never negative and their allocated stays between zero and on hand; a stock
movement is never updated or deleted (a trigger refuses it, on PostgreSQL and on SQLite).
Order lines' quantities already add up by a CHECK made in 0001.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Named in the error so the application can tell the user which rule refused the change.
APPEND_ONLY = "stock_moves is append-only (ledger_append_only): a movement is never {verb}; book a correction"

_POSTGRES_FUNCTION = f"""
CREATE FUNCTION stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = replace('{APPEND_ONLY}', '{{verb}}', lower(TG_OP) || 'd'),
        ERRCODE = 'integrity_constraint_violation',
        CONSTRAINT = 'ledger_append_only',
        TABLE = 'stock_moves';
END
$$
"""
_POSTGRES_TRIGGER = (
    "CREATE TRIGGER stock_moves_append_only BEFORE UPDATE OR DELETE ON stock_moves "
    "FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only()"
)


def _sqlite_trigger(operation: str) -> str:
    verb = "updated" if operation == "UPDATE" else "deleted"
    return (
        f"CREATE TRIGGER stock_moves_no_{operation.lower()} BEFORE {operation} ON stock_moves "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY.format(verb=verb)}'); END"
    )


#: The CHECKs on items' totals, by name (the names tables.py gives them).
CHECKS = {
    "ck_items_on_hand_not_negative": "on_hand >= 0",
    "ck_items_allocated_within_on_hand": "allocated >= 0 AND allocated <= on_hand",
}
_SQLITE_CHECKS = "".join(f", CONSTRAINT {name} CHECK ({rule})" for name, rule in CHECKS.items())


def upgrade() -> None:
    _refuse_broken_rows()
    if op.get_bind().dialect.name == "postgresql":
        for name, rule in CHECKS.items():
            op.create_check_constraint(op.f(name), "items", rule)
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        _rebuild_sqlite_items(lambda sql: sql[: sql.rindex(")")] + _SQLITE_CHECKS + ")")
        op.execute(_sqlite_trigger("UPDATE"))
        op.execute(_sqlite_trigger("DELETE"))


def _rebuild_sqlite_items(change: Callable[[str], str]) -> None:
    """Rebuild `items` from its changed CREATE TABLE: SQLite adds or drops a CHECK no other way.

    Not Alembic's batch mode: it fills a new table and renames it, which with foreign keys on
    leaves every movement and line pointing at a dropped table for SQLite's deferred check.
    Here the old table is dropped first and the new one, already named `items`, is filled, so
    each row put back settles the references to it before the commit.
    """
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'items'"
    ).scalar_one()
    extras = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master "
        "WHERE tbl_name = 'items' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).scalars()
    statements = [
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TABLE _items_copy AS SELECT * FROM items",
        "DROP TABLE items",
        change(sql),
        "INSERT INTO items SELECT * FROM _items_copy",
        "DROP TABLE _items_copy",
        *extras,
    ]
    for statement in statements:
        bind.exec_driver_sql(statement)


def _refuse_broken_rows() -> None:
    """Stop with the SKUs named when existing rows already break a rule (the upgrade changes nothing)."""
    broken = op.get_bind().exec_driver_sql(
        "SELECT sku FROM items WHERE on_hand < 0 OR allocated < 0 OR allocated > on_hand ORDER BY sku"
    )
    skus = [row[0] for row in broken]
    if skus:
        raise RuntimeError(
            "cannot add the ledger rules: these items have negative on hand or allocate more than "
            f"they hold: {', '.join(skus[:20])}; count their stock, then run `pegboard init` again"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER stock_moves_append_only ON stock_moves")
        op.execute("DROP FUNCTION stock_moves_append_only()")
        for name in reversed(CHECKS):
            op.drop_constraint(op.f(name), "items", type_="check")
    else:
        op.execute("DROP TRIGGER stock_moves_no_update")
        op.execute("DROP TRIGGER stock_moves_no_delete")
        _rebuild_sqlite_items(lambda sql: sql.replace(_SQLITE_CHECKS, ""))
