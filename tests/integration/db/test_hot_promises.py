"""A whole plan's moved promises are rewritten on their own pages, with no index written
(PostgreSQL's heap-only updates, migration 0033), and the migration goes both ways on both
databases with every promise kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text

from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.planning import promises as promise_store
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.services import planning
from tests.integration.db.raw_rows import add_anns_order, add_kettle
from tests.integration.services.test_planning import lightsaber_after_first_shipments, order_green_crystals

DUE = date(2026, 12, 15)


@pytest.mark.parametrize("bulk", [promise_store.BULK, 0], ids=["statements", "copy"])
def test_moved_promises_are_updated_in_place_without_new_index_entries(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, bulk: int
) -> None:
    pb = bootstrap(Settings(database_url=postgres_url), today=date(2026, 12, 1))
    try:
        lightsaber_after_first_shipments(pb)
        order_green_crystals(pb, DUE)
        stored = planning.run_plan(uow=pb.uow(), clock=pb.clock).changed
        moved = [
            replace(p, promised_date=p.promised_date + timedelta(days=1))
            for p in stored
            if p.promised_date is not None
        ]
        assert moved
        monkeypatch.setattr(promise_store, "BULK", bulk)
        monkeypatch.setattr(promise_store, "CHUNK", 1)  # COPY's blocks: one promise each

        with pb.uow() as uow:
            uow.planning.save_promises(
                moved, on=date(2026, 12, 2), whole_plan=True, stored=[True] * len(moved)
            )
            updated, in_place = uow.connection.execute(
                text(
                    "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                    "WHERE relname = 'line_promises'"
                )
            ).one()
            # The ordered UPDATE steers the planner for itself only (`queries.local_settings`).
            hash_joins = uow.connection.execute(text("SELECT current_setting('enable_hashjoin')")).scalar()
            uow.commit()

        assert (updated, in_place) == (len(moved), len(moved))
        assert hash_joins == "on"
        with pb.engine.connect() as conn:
            days: dict[int | None, date | None] = dict(
                conn.execute(text("SELECT line_id, promised_date FROM line_promises")).all()
            )
        assert {p.line_id: days[p.line_id] for p in moved} == {p.line_id: p.promised_date for p in moved}
    finally:
        pb.close()


def test_the_migration_goes_down_and_up_keeping_every_promise(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    engine = create_engine(migrated_url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        add_kettle(conn)
        add_anns_order(conn)
        conn.execute(
            text(
                "INSERT INTO order_lines (id, order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind) VALUES (1, 1, 1, 1, 1000000, 0, 0, 0, 'stock')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO line_promises (line_id, promised_date, reason, basis, parts, promised_on, "
                "first_date, first_promised_on, item_id, parts_key) VALUES "
                "(1, '2026-12-01', 'PO-1 due', 'PO-1', '[]', '2026-11-23', '2026-12-01', '2026-11-23', 1, 7)"
            )
        )

    command.downgrade(config, "0032")
    down = _storage(engine, postgres=postgres)
    command.upgrade(config, "head")
    up = _storage(engine, postgres=postgres)

    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT line_id, promised_date, item_id, parts_key FROM line_promises")
        ).all()
    engine.dispose()
    assert [tuple(map(str, row)) for row in kept] == [("1", "2026-12-01", "1", "7")]
    if postgres:
        assert down == ("INCLUDE (line_id, promised_date, parts_key)", None)
        assert up == ("INCLUDE (line_id)", ["fillfactor=50"])


def _storage(engine: Engine, *, postgres: bool) -> tuple[str, list[str] | None] | None:
    """PostgreSQL: the item index's included columns and the table's storage options."""
    if not postgres:
        return None
    with engine.connect() as conn:
        index = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_line_promises_item_id'")
        ).scalar_one()
        options = conn.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = 'line_promises'")
        ).scalar()
    return index[index.index("INCLUDE") :], options
