"""a line promise's order line is kept existing by triggers, not a foreign key: PostgreSQL's
foreign key checked each promise written, row by row, taking a lock on its order line (a WAL
record each), about 40% of the COPY of a whole plan's promises; one check per statement
over the statement's new rows does the same work in one anti-join

The rule stays on both databases: a promise names an existing order line (checked after each
INSERT statement over its new rows, and on the rare UPDATE that changes `line_id`), and an order
line with a promise is never deleted nor given another id. SQLite checks the same per row (a
trigger before each write, as its foreign key did). SQLite drops the constraint by rebuilding the
table, so the triggers that read `line_promises` are set aside and created again around it.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

_FK = "fk_line_promises_line_id_order_lines"
_NO_LINE = "a line promise names no order line"
_PROMISED = "an order line with a promise cannot be deleted or renumbered"

#: PostgreSQL: (trigger, table, when, function body).
_POSTGRES = (
    (
        "line_promises_line_exists",
        "line_promises",
        "AFTER INSERT ON line_promises REFERENCING NEW TABLE AS new_promises FOR EACH STATEMENT",
        "IF EXISTS (SELECT 1 FROM new_promises p WHERE NOT EXISTS "
        "(SELECT 1 FROM order_lines x WHERE x.id = p.line_id)) THEN "
        f"RAISE foreign_key_violation USING MESSAGE = '{_NO_LINE}'; END IF; RETURN NULL;",
    ),
    (
        "line_promises_line_moved",
        "line_promises",
        "AFTER UPDATE OF line_id ON line_promises FOR EACH ROW "
        "WHEN (OLD.line_id IS DISTINCT FROM NEW.line_id)",
        "IF NOT EXISTS (SELECT 1 FROM order_lines x WHERE x.id = NEW.line_id) THEN "
        f"RAISE foreign_key_violation USING MESSAGE = '{_NO_LINE}'; END IF; RETURN NULL;",
    ),
    (
        "order_lines_promise_kept",
        "order_lines",
        "AFTER DELETE OR UPDATE OF id ON order_lines FOR EACH ROW",
        "IF (TG_OP = 'DELETE' OR OLD.id IS DISTINCT FROM NEW.id) AND "
        "EXISTS (SELECT 1 FROM line_promises lp WHERE lp.line_id = OLD.id) THEN "
        f"RAISE foreign_key_violation USING MESSAGE = '{_PROMISED}'; END IF; RETURN NULL;",
    ),
)

#: SQLite: (trigger, when).
_SQLITE = (
    (
        "line_promises_line_exists",
        "BEFORE INSERT ON line_promises WHEN NOT EXISTS (SELECT 1 FROM order_lines WHERE id = NEW.line_id)",
        _NO_LINE,
    ),
    (
        "line_promises_line_moved",
        "BEFORE UPDATE OF line_id ON line_promises "
        "WHEN NOT EXISTS (SELECT 1 FROM order_lines WHERE id = NEW.line_id)",
        _NO_LINE,
    ),
    (
        "order_lines_promise_kept",
        "BEFORE DELETE ON order_lines WHEN EXISTS (SELECT 1 FROM line_promises WHERE line_id = OLD.id)",
        _PROMISED,
    ),
    (
        "order_lines_promise_renumbered",
        "BEFORE UPDATE OF id ON order_lines WHEN OLD.id IS NOT NEW.id "
        "AND EXISTS (SELECT 1 FROM line_promises WHERE line_id = OLD.id)",
        _PROMISED,
    ),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_FK, "line_promises", type_="foreignkey")
        for name, _table, when, body in _POSTGRES:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {name}()")
        return
    with _triggers_set_aside():
        with op.batch_alter_table("line_promises", recreate="always") as batch:
            batch.drop_constraint(_FK, type_="foreignkey")
    for name, when, message in _SQLITE:
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _when, _body in _POSTGRES:
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
        op.create_foreign_key(_FK, "line_promises", "order_lines", ["line_id"], ["id"])
        return
    for name, _when, _message in _SQLITE:
        op.execute(f"DROP TRIGGER {name}")
    with _triggers_set_aside():
        with op.batch_alter_table("line_promises", recreate="always") as batch:
            batch.create_foreign_key(_FK, "order_lines", ["line_id"], ["id"])


@contextmanager
def _triggers_set_aside() -> Iterator[None]:
    """SQLite: drop the triggers that name `line_promises` (its own, and those of other tables
    that read it) while the table is rebuilt, and create them again after."""
    saved = [
        (name, sql)
        for name, sql in op.get_bind().execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        )
        if "line_promises" in sql
    ]
    for name, _sql in saved:
        op.execute(f"DROP TRIGGER {name}")
    yield
    for _name, sql in saved:
        op.execute(sql)
