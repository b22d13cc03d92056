"""a stored plan's rows are kept naming an existing stored plan by triggers, not foreign keys:
PostgreSQL's foreign keys checked each queue entry, dated MO and suggestion written, row by row
(a lock on the plan row each): about 1.4 s of the server's 2.2 to 2.4 s in a first plan's save at
L (152k rows); one check per statement over the statement's new rows costs about 0.08 s

The rule stays on both databases: a row of `stored_plan_queue`, `stored_plan_mos` or
`stored_plan_suggestions` names an existing stored plan (checked after each INSERT statement over
its new rows, and on the rare UPDATE that changes `plan_id`); deleting a stored plan deletes its
rows, as ON DELETE CASCADE did (a trigger per plan deleted: there is one stored plan, and a save
deletes none but strays); a stored plan with rows is never given another id. PostgreSQL's
check locks the plans its rows name (FOR KEY SHARE, as the foreign key did), so a plan deleted
at the same time waits for the rows' transaction and takes them with it. SQLite checks the same
per row (a trigger before each write, as its foreign key did: about 0.8 µs a row more), after
rebuilding the three tables without their foreign keys (as 0032 did for `line_promises`), so the
tables metadata describes both databases.

PostgreSQL also stops trying to compress the kept plan (`stored_plans.kept_result`, STORAGE
EXTERNAL): it is deflated already (`planning.kept_plan.pack`), yet each save of a plan at L had
the server run its compressor over the 15 MB, find too little to gain and store it as it was:
0.24 to 0.29 s of server CPU per save, against 0.05 to 0.09 s to store it as it is.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

#: The stored plan's rows, each with a `plan_id`.
_ROWS = ("stored_plan_queue", "stored_plan_mos", "stored_plan_suggestions")
_NO_PLAN = "a stored plan row names no stored plan"
_HAS_ROWS = "a stored plan with rows cannot be renumbered"

#: PostgreSQL: (function, body); each row table's triggers share the first two.
_POSTGRES_FUNCTIONS = (
    (
        "stored_plan_rows_plan_exists",
        "PERFORM 1 FROM stored_plans p WHERE p.id IN (SELECT n.plan_id FROM new_rows n) FOR KEY SHARE; "
        "IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS "
        "(SELECT 1 FROM stored_plans p WHERE p.id = n.plan_id)) THEN "
        f"RAISE foreign_key_violation USING MESSAGE = '{_NO_PLAN}'; END IF; RETURN NULL;",
    ),
    (
        "stored_plan_rows_plan_moved",
        "IF NOT EXISTS (SELECT 1 FROM stored_plans p WHERE p.id = NEW.plan_id FOR KEY SHARE) THEN "
        f"RAISE foreign_key_violation USING MESSAGE = '{_NO_PLAN}'; END IF; RETURN NULL;",
    ),
    (
        "stored_plans_rows_removed",
        " ".join(f"DELETE FROM {rows} WHERE plan_id = OLD.id;" for rows in _ROWS) + " RETURN NULL;",
    ),
    (
        "stored_plans_renumbered",
        "IF "
        + " OR ".join(f"EXISTS (SELECT 1 FROM {rows} r WHERE r.plan_id = OLD.id)" for rows in _ROWS)
        + f" THEN RAISE foreign_key_violation USING MESSAGE = '{_HAS_ROWS}'; END IF; RETURN NULL;",
    ),
)

#: PostgreSQL: (trigger, table, when, function).
_POSTGRES_TRIGGERS = (
    *(
        (
            f"{rows}_plan_exists",
            rows,
            f"AFTER INSERT ON {rows} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
            "stored_plan_rows_plan_exists",
        )
        for rows in _ROWS
    ),
    *(
        (
            f"{rows}_plan_moved",
            rows,
            f"AFTER UPDATE OF plan_id ON {rows} FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id)",
            "stored_plan_rows_plan_moved",
        )
        for rows in _ROWS
    ),
    (
        "stored_plans_rows_removed",
        "stored_plans",
        "AFTER DELETE ON stored_plans FOR EACH ROW",
        "stored_plans_rows_removed",
    ),
    (
        "stored_plans_renumbered",
        "stored_plans",
        "AFTER UPDATE OF id ON stored_plans FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)",
        "stored_plans_renumbered",
    ),
)

#: SQLite: (trigger, when, body).
_SQLITE = (
    *(
        (
            f"{rows}_plan_exists",
            f"BEFORE INSERT ON {rows} WHEN NOT EXISTS (SELECT 1 FROM stored_plans WHERE id = NEW.plan_id)",
            f"SELECT RAISE(ABORT, '{_NO_PLAN}');",
        )
        for rows in _ROWS
    ),
    *(
        (
            f"{rows}_plan_moved",
            f"BEFORE UPDATE OF plan_id ON {rows} "
            "WHEN NOT EXISTS (SELECT 1 FROM stored_plans WHERE id = NEW.plan_id)",
            f"SELECT RAISE(ABORT, '{_NO_PLAN}');",
        )
        for rows in _ROWS
    ),
    (
        "stored_plans_rows_removed",
        "AFTER DELETE ON stored_plans",
        " ".join(f"DELETE FROM {rows} WHERE plan_id = OLD.id;" for rows in _ROWS),
    ),
    (
        "stored_plans_renumbered",
        "BEFORE UPDATE OF id ON stored_plans WHEN OLD.id IS NOT NEW.id AND ("
        + " OR ".join(f"EXISTS (SELECT 1 FROM {rows} WHERE plan_id = OLD.id)" for rows in _ROWS)
        + ")",
        f"SELECT RAISE(ABORT, '{_HAS_ROWS}');",
    ),
)


def _fk(rows: str) -> str:
    return f"fk_{rows}_plan_id_stored_plans"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for rows in _ROWS:
            op.drop_constraint(_fk(rows), rows, type_="foreignkey")
        for name, body in _POSTGRES_FUNCTIONS:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
        for name, _table, when, function in _POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")
        op.execute("ALTER TABLE stored_plans ALTER COLUMN kept_result SET STORAGE EXTERNAL")
        return
    # No trigger names these tables, so none is set aside while they are rebuilt (0032's was).
    for rows in _ROWS:
        with op.batch_alter_table(rows, recreate="always") as batch:
            batch.drop_constraint(_fk(rows), type_="foreignkey")
    for name, when, body in _SQLITE:
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stored_plans ALTER COLUMN kept_result SET STORAGE EXTENDED")
        for name, table, _when, _function in _POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name, _body in _POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
        for rows in _ROWS:
            op.create_foreign_key(_fk(rows), rows, "stored_plans", ["plan_id"], ["id"], ondelete="CASCADE")
        return
    for name, _when, _body in _SQLITE:
        op.execute(f"DROP TRIGGER {name}")
    for rows in _ROWS:
        with op.batch_alter_table(rows, recreate="always") as batch:
            batch.create_foreign_key(_fk(rows), "stored_plans", ["plan_id"], ["id"], ondelete="CASCADE")
