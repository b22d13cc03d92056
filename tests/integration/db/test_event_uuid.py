"""An event's id is a `uuid` on PostgreSQL (migration 0038), read back as the text it was made as;
the migration goes both ways keeping every id and the deliveries' references to them."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import Engine, create_engine, insert, select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.repositories.outbox import BULK, SqlOutbox
from pegboard.domain.events import OrderCancelled

NOON = datetime(2026, 12, 2, 12, 0)


def test_events_appended_by_copy_and_by_insert_keep_the_ids_they_were_given_as_text(
    migrated_url: str,
) -> None:
    engine = create_engine(migrated_url)
    try:
        with engine.begin() as conn:
            outbox = SqlOutbox(conn, NOON)
            outbox.append([OrderCancelled(f"SO-{k}", None, []) for k in range(BULK + 1)])
            outbox.append([OrderCancelled("SO-ONE", None, [])])
            ids = list(conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.created_at)).scalars())
            refs = list(conn.execute(select(t.outbox.c.order_ref).order_by(t.outbox.c.id)).scalars())
            found = conn.execute(select(t.outbox.c.order_ref).where(t.outbox.c.id == ids[7])).scalar_one()
    finally:
        engine.dispose()

    assert len(ids) == len(set(ids)) == BULK + 2
    assert all(isinstance(i, str) and len(i) == 36 and i == i.lower() and i[14] == "7" for i in ids)
    assert ids == sorted(ids[:-1]) + ids[-1:]  # those made together ascend, as their texts do
    assert refs[: BULK + 1] == [f"SO-{k}" for k in range(BULK + 1)]
    assert found == "SO-7"


def test_the_migration_goes_down_and_up_keeping_every_event_id_and_delivery(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    try:
        with engine.begin() as conn:
            SqlOutbox(conn, NOON).append([OrderCancelled(f"SO-{k}", None, []) for k in range(3)])
            ids = list(conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.created_at)).scalars())
            conn.execute(
                insert(t.outbox_deliveries),
                [{"event_id": i, "channel": "email", "delivered_at": NOON} for i in ids],
            )
        at_head = _kinds(engine), _rows(engine)
        command.downgrade(config, "0036")
        down = _kinds(engine), _rows(engine)
        command.upgrade(config, "head")
        up = _kinds(engine), _rows(engine)
    finally:
        engine.dispose()

    expected = sorted((i, i) for i in ids)
    assert at_head[1] == down[1] == up[1] == expected
    if engine.dialect.name == "postgresql":
        assert at_head[0] == up[0] == ("uuid", "uuid")
        assert down[0] == ("character varying", "character varying")
    else:  # SQLite keeps the text
        assert at_head[0] == down[0] == up[0]


def _kinds(engine: Engine) -> tuple[str, str] | None:
    """PostgreSQL: the types of `outbox.id` and `outbox_deliveries.event_id`; SQLite: None."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        found: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT table_name, data_type FROM information_schema.columns WHERE "
                    "(table_name, column_name) IN (('outbox', 'id'), ('outbox_deliveries', 'event_id'))"
                )
            ).all()
        )
    return found["outbox"], found["outbox_deliveries"]


def _rows(engine: Engine) -> list[tuple[str, str]]:
    """Each delivery's event id and its event's id, as text, joined by the key."""
    with engine.connect() as conn:
        return sorted(
            (str(a), str(b))
            for a, b in conn.execute(
                text(
                    "SELECT d.event_id, o.id FROM outbox_deliveries AS d "
                    "JOIN outbox AS o ON o.id = d.event_id"
                )
            )
        )
