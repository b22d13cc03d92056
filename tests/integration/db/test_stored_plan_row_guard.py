"""A stored plan's rows always name an existing stored plan, and go with it when it is deleted,
kept by triggers (migration 0036) where foreign keys kept it before, on both databases, whichever
way the rows are written."""

from __future__ import annotations

from datetime import date, datetime

import psycopg
import pytest
from alembic import command
from sqlalchemy import Connection, Engine, Table, create_engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.row_sync import insert_columns
from pegboard.bootstrap import Pegboard

DAY = date(2026, 12, 1)
MISSING_PLAN = 999

#: One row of each of the stored plan's tables, without its `plan_id`.
ROWS: dict[str, dict[str, object]] = {
    "stored_plan_queue": {
        "rank": 1,
        "ref": "MO-1",
        "sku": "KETTLE",
        "quantity": 1,
        "completes": "[]",
        "missing": "[]",
    },
    "stored_plan_mos": {"ref": "MO-1", "start_date": DAY, "finish_date": DAY},
    "stored_plan_suggestions": {"seq": 1, "kind": "buy", "sku": "KETTLE", "quantity": 1},
}


def add_plan(conn: Connection, plan_id: int) -> None:
    conn.execute(
        insert(t.stored_plans).values(
            id=plan_id, planned_on=DAY, planned_at=datetime(2026, 12, 1), inputs_seen=0
        )
    )


def add_rows(conn: Connection, plan_id: int) -> None:
    for name, row in ROWS.items():
        conn.execute(insert(t.metadata.tables[name]).values(plan_id=plan_id, **row))


def plans_of_rows(engine: Engine) -> dict[str, list[int]]:
    """Each table's rows' plans, in order."""
    with engine.connect() as conn:
        return {
            name: list(conn.execute(text(f"SELECT plan_id FROM {name} ORDER BY plan_id")).scalars())
            for name in ROWS
        }


@pytest.mark.parametrize("name", list(ROWS))
@pytest.mark.parametrize("copy", [False, True], ids=["insert", "columns"])
def test_a_stored_plan_row_naming_no_plan_is_refused_and_none_of_its_batch_is_written(
    pb: Pegboard, name: str, copy: bool
) -> None:
    """A batch of rows with one naming no stored plan writes nothing (COPY on PostgreSQL included)."""
    table: Table = t.metadata.tables[name]
    with pb.engine.begin() as conn:
        add_plan(conn, 1)
    batch = [{"plan_id": plan_id, **ROWS[name]} for plan_id in (1, MISSING_PLAN)]
    for key in ("rank", "seq", "ref"):  # each row its own key
        if key in ROWS[name]:
            batch[1][key] = 2 if key != "ref" else "MO-2"

    # COPY runs on the driver's own cursor: its error comes unwrapped.
    with (
        pytest.raises((IntegrityError, psycopg.IntegrityError), match="names no stored plan"),
        pb.engine.begin() as conn,
    ):
        if copy:
            insert_columns(conn, table, {column: [row[column] for row in batch] for column in batch[0]})
        else:
            conn.execute(insert(table), batch)

    assert plans_of_rows(pb.engine)[name] == []


def test_a_stored_plan_row_cannot_be_moved_to_no_plan_nor_its_plan_renumbered(pb: Pegboard) -> None:
    """Moving a row to a missing plan, or renumbering a plan with rows, is refused; other
    columns change freely, and a plan with no rows may be renumbered."""
    with pb.engine.begin() as conn:
        add_plan(conn, 1)
        add_plan(conn, 2)
        add_rows(conn, 1)

    for name in ROWS:
        with pytest.raises(IntegrityError, match="names no stored plan"), pb.engine.begin() as conn:
            conn.execute(text(f"UPDATE {name} SET plan_id = {MISSING_PLAN}"))
    with pytest.raises(IntegrityError, match="cannot be renumbered"), pb.engine.begin() as conn:
        conn.execute(text(f"UPDATE stored_plans SET id = {MISSING_PLAN} WHERE id = 1"))

    with pb.engine.begin() as conn:
        for name in ROWS:
            conn.execute(text(f"UPDATE {name} SET plan_id = 2"))
        conn.execute(text("UPDATE stored_plans SET planned_on = '2026-12-02' WHERE id = 2"))
        conn.execute(text(f"UPDATE stored_plans SET id = {MISSING_PLAN} WHERE id = 1"))
    assert plans_of_rows(pb.engine) == dict.fromkeys(ROWS, [2])


def test_deleting_a_stored_plan_deletes_its_rows_and_no_other_plans(pb: Pegboard) -> None:
    with pb.engine.begin() as conn:
        for plan_id in (1, 2, 3):
            add_plan(conn, plan_id)
            add_rows(conn, plan_id)

    with pb.engine.begin() as conn:
        conn.execute(text("DELETE FROM stored_plans WHERE id <> 2"))

    assert plans_of_rows(pb.engine) == dict.fromkeys(ROWS, [2])
    with pb.engine.begin() as conn:
        conn.execute(text("DELETE FROM stored_plans"))
    assert plans_of_rows(pb.engine) == dict.fromkeys(ROWS, [])


def test_the_migration_goes_down_and_up_keeping_every_row_and_the_rule(migrated_url: str) -> None:
    """Down: foreign keys that cascade; up: triggers; the rows stay, and the rule holds both ways."""
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    try:
        with engine.begin() as conn:
            for plan_id in (1, 2):
                add_plan(conn, plan_id)
                add_rows(conn, plan_id)
        at_head = _keys_and_triggers(engine), _kept_plan_storage(engine)

        command.downgrade(config, "0035")
        down = _keys_and_triggers(engine), _kept_plan_storage(engine)
        assert plans_of_rows(engine) == dict.fromkeys(ROWS, [1, 2])
        with engine.begin() as conn:
            if engine.dialect.name != "postgresql":
                conn.execute(text("PRAGMA foreign_keys = ON"))
            conn.execute(text("DELETE FROM stored_plans WHERE id = 1"))
        assert plans_of_rows(engine) == dict.fromkeys(ROWS, [2])

        command.upgrade(config, "head")
        assert (_keys_and_triggers(engine), _kept_plan_storage(engine)) == at_head
        assert plans_of_rows(engine) == dict.fromkeys(ROWS, [2])
        with pytest.raises(IntegrityError, match="names no stored plan"), engine.begin() as conn:
            add_rows(conn, 1)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM stored_plans"))
        assert plans_of_rows(engine) == dict.fromkeys(ROWS, [])
    finally:
        engine.dispose()

    postgres = engine.dialect.name == "postgresql"
    assert at_head == ((0, 8), "e" if postgres else None)  # the kept plan: external, uncompressed
    assert down == ((3, 0), "x" if postgres else None)  # extended: compressed when it gains


def _kept_plan_storage(engine: Engine) -> str | None:
    """PostgreSQL: how `stored_plans.kept_result` is stored (`pg_attribute.attstorage`)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT attstorage FROM pg_attribute "
                    "WHERE attrelid = 'stored_plans'::regclass AND attname = 'kept_result'"
                )
            ).scalar_one()
        )


def _keys_and_triggers(engine: Engine) -> tuple[int, int]:
    """How many foreign keys the stored plan's rows have, and how many triggers keep them."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            keys = conn.execute(
                text(
                    "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                    "AND confrelid = 'stored_plans'::regclass"
                )
            ).scalar_one()
            triggers = conn.execute(
                text(
                    "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                    "('stored_plans'::regclass, 'stored_plan_queue'::regclass, "
                    "'stored_plan_mos'::regclass, 'stored_plan_suggestions'::regclass)"
                )
            ).scalar_one()
            return int(keys), int(triggers)
        # The tables' SQL, not `PRAGMA foreign_key_list`: a pooled connection's pragma may read
        # the schema as it was before the migration.
        tables = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN (:a, :b, :c)"),
            dict(zip("abc", ROWS, strict=True)),
        ).scalars()
        keys = sum("REFERENCES stored_plans" in sql for sql in tables)
        triggers = conn.execute(
            select(func.count())
            .select_from(text("sqlite_master"))
            .where(text("type = 'trigger' AND tbl_name IN (:a, :b, :c, :d)"))
            .params(a="stored_plans", b="stored_plan_queue", c="stored_plan_mos", d="stored_plan_suggestions")
        ).scalar_one()
        return keys, int(triggers)


def test_a_plan_whose_rows_are_being_written_is_not_deleted_before_they_are_committed(
    postgres_pb: Pegboard,
) -> None:
    """PostgreSQL: the check locks the plan its rows name, as the foreign key did, so a delete of
    that plan waits for the rows' transaction (and then takes the rows with it)."""
    engine = postgres_pb.engine
    with engine.begin() as conn:
        add_plan(conn, 1)
    with engine.connect() as writer, engine.connect() as deleter:
        writer.begin()
        add_rows(writer, 1)
        deleter.begin()
        deleter.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            deleter.execute(text("DELETE FROM stored_plans WHERE id = 1"))
        deleter.rollback()
        writer.commit()
        with deleter.begin():
            deleter.execute(text("DELETE FROM stored_plans WHERE id = 1"))

    assert plans_of_rows(engine) == dict.fromkeys(ROWS, [])
