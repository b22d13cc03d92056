"""The shipped-lines rollup follows a promise's first date per row, only when it changed (migration
0035): an UPDATE that keeps every first date queues no trigger work; the migration goes both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, create_engine, text

from pegboard.adapters.db.migrate import alembic_config

_TRIGGER = "shipped_days_promises_update"


def test_the_migration_goes_down_and_up_between_statement_and_row_trigger(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    try:
        at_head = _trigger(engine)
        command.downgrade(config, "0034")
        down = _trigger(engine)
        command.upgrade(config, "head")
        up = _trigger(engine)
    finally:
        engine.dispose()

    if engine.dialect.name == "postgresql":
        assert at_head == up == ("row", "WHEN ((old.first_date IS DISTINCT FROM new.first_date))")
        assert down == ("statement", None)
    else:  # SQLite's was always per row, on first_date: nothing changes
        assert at_head == down == up
        assert at_head is not None and "UPDATE OF first_date" in at_head[0]


def _trigger(engine: Engine) -> tuple[str, str | None] | None:
    """PostgreSQL: whether the trigger runs per row or per statement, and its WHEN; SQLite: its SQL."""
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            found = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                {"name": _TRIGGER},
            ).scalar()
            return None if found is None else (str(found), None)
        row = conn.execute(
            text(
                "SELECT tgtype & 1 = 1 AS per_row, pg_get_triggerdef(oid) AS definition "
                "FROM pg_trigger WHERE tgname = :name"
            ),
            {"name": _TRIGGER},
        ).one()
    definition = str(row.definition)
    when = (
        definition[definition.index("WHEN") : definition.index(" EXECUTE")] if "WHEN" in definition else None
    )
    return ("row" if row.per_row else "statement", when)
