"""The Alembic migrations build exactly the schema that tables/ describes, on both databases, and
fill what they add from the rows already there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from pegboard.adapters.db import migrate
from pegboard.adapters.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    known_revisions,
    revisions_named_in,
)
from pegboard.adapters.db.planning.promises import parts_key
from pegboard.adapters.db.tables import metadata
from tests.integration.db.raw_rows import add_anns_order


def test_the_migrated_schema_matches_the_table_definitions(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrading_fills_each_items_waiting_total_from_the_stock_lines_already_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    (added,) = (
        s for s in ScriptDirectory.from_config(config).walk_revisions() if "waiting totals" in (s.doc or "")
    )
    assert isinstance(added.down_revision, str)
    command.upgrade(config, added.down_revision)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO items (id, sku, name, procurement) VALUES "
                "(1, 'KETTLE', 'Kettle', 'buy'), (2, 'TEAPOT', 'Teapot', 'buy'), (3, 'MUG', 'Mug', 'buy')"
            )
        )
        add_anns_order(conn)
        # Kettle: 5 ordered, 1 shipped, 1 cancelled: 3 wait, plus 2 on a second line; the teapot
        # line is a preorder (no backorder); the mug's line is all cancelled.
        conn.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind) VALUES (1, 1, 1, 5000000, 0, 1000000, 1000000, 'stock'), "
                "(1, 2, 1, 2000000, 0, 0, 0, 'stock'), (1, 3, 2, 4000000, 0, 0, 0, 'preorder'), "
                "(1, 4, 3, 1000000, 0, 0, 1000000, 'stock')"
            )
        )

    command.upgrade(config, "head")

    with engine.connect() as conn:
        assert conn.execute(text("SELECT sku, waiting FROM items ORDER BY id")).all() == [
            ("KETTLE", 5000000),
            ("TEAPOT", 0),
            ("MUG", 0),
        ]
    engine.dispose()


def test_upgrading_keeps_what_configured_mos_made_beyond_their_lines_for_their_configuration(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    (added,) = (
        s for s in ScriptDirectory.from_config(config).walk_revisions() if "configured stock" in (s.doc or "")
    )
    assert isinstance(added.down_revision, str)
    command.upgrade(config, added.down_revision)
    engine = create_engine(url)
    with engine.begin() as conn:
        # Six sabers on hand, one allocated to an engraved line: an engraved MO made three, so two
        # engraved ones became plain stock; a carved MO made one, which its line shipped.
        conn.execute(
            text(
                "INSERT INTO items (id, sku, name, procurement, on_hand, allocated) VALUES "
                "(1, 'SABER', 'Saber', 'make', 6000000, 1000000)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO manufacturing_orders (mo_ref, item_id, quantity, completed, start_date, "
                "finish_date, status, created_at, options) VALUES "
                "('MO-1', 1, 3000000, 3000000, '2026-11-23', '2026-11-24', 'completed', "
                "'2026-11-23 09:00:00', 'HILT=engraved'), "
                "('MO-2', 1, 1000000, 1000000, '2026-11-23', '2026-11-24', 'completed', "
                "'2026-11-23 09:00:00', 'HILT=carved')"
            )
        )
        add_anns_order(conn)
        conn.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind, options) VALUES "
                "(1, 1, 1, 1000000, 1000000, 0, 0, 'stock', 'HILT=engraved'), "
                "(1, 2, 1, 1000000, 0, 1000000, 0, 'stock', 'HILT=carved')"
            )
        )

    command.upgrade(config, "head")

    with engine.connect() as conn:
        kept = conn.execute(text("SELECT item_id, options, quantity FROM configured_stock")).all()
        assert kept == [(1, "HILT=engraved", 2000000)]
        assert conn.execute(text("SELECT allocated FROM items")).scalar_one() == 3000000
    engine.dispose()


#: A promise's parts as the store writes them (with a word that is not ASCII: its key is of UTF-8).
PARTS = (
    '[{"basis": "PO-1", "date": "2026-12-01", "quantity": 1, "reason": "PO-1 due, crème", '
    '"stated_date": null}]'
)


def test_upgrading_gives_each_stored_promise_its_lines_item_and_its_parts_key(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    (added,) = (
        s for s in ScriptDirectory.from_config(config).walk_revisions() if "line's item" in (s.doc or "")
    )
    assert isinstance(added.down_revision, str)
    command.downgrade(config, added.down_revision)
    engine = create_engine(migrated_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO items (id, sku, name, procurement) VALUES "
                "(1, 'KETTLE', 'Kettle', 'buy'), (2, 'TEAPOT', 'Teapot', 'buy')"
            )
        )
        add_anns_order(conn)
        conn.execute(
            text(
                "INSERT INTO order_lines (id, order_id, line_no, item_id, quantity, allocated, shipped, "
                "cancelled, kind) VALUES (1, 1, 1, 2, 1000000, 0, 0, 0, 'stock'), "
                "(2, 1, 2, 1, 2000000, 0, 0, 0, 'stock')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO line_promises (line_id, promised_date, reason, basis, parts, promised_on, "
                "first_date, first_promised_on) VALUES "
                "(1, '2026-12-01', 'PO-1 due', 'PO-1', :parts, '2026-11-23', '2026-12-01', '2026-11-23'), "
                "(2, NULL, 'open term', 'open term', '[]', '2026-11-23', NULL, '2026-11-23')"
            ),
            {"parts": PARTS},
        )

    command.upgrade(config, "head")

    with engine.connect() as conn:
        promised = conn.execute(
            text("SELECT line_id, item_id, parts_key FROM line_promises ORDER BY line_id")
        )
        assert promised.all() == [(1, 2, parts_key(PARTS)), (2, 1, parts_key("[]"))]
    engine.dispose()


def test_the_scripts_own_lines_name_the_revisions_and_the_head_alembic_finds() -> None:
    named = revisions_named_in(migrate.MIGRATIONS / "versions")

    assert named is not None and set(named) == known_revisions()
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert all(named[s.revision] == s._normalized_down_revisions for s in scripts.walk_revisions())
    assert head_revision() == scripts.get_current_head()


def test_a_script_whose_lines_cannot_be_read_leaves_the_revisions_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "0001_first.py").write_text('revision = "0001"\ndown_revision = None\n')
    (tmp_path / "0002_typed.py").write_text('revision: str = "0002"\ndown_revision: str | None = "0001"\n')
    assert revisions_named_in(tmp_path) == {"0001": (), "0002": ("0001",)}

    (tmp_path / "0003_computed.py").write_text('revision = "0003"\ndown_revision = PREVIOUS\n')
    assert revisions_named_in(tmp_path) is None
    (tmp_path / "0003_computed.py").write_text(
        '"""Notes.\nrevision = "x" once\n"""\nrevision = "0003"\ndown_revision = "0002"\n'
    )
    assert revisions_named_in(tmp_path) is None


def test_the_revision_a_database_is_at_is_read_from_alembics_table_or_none(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        at_head = current_revision(engine)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
        emptied = current_revision(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        dropped = current_revision(engine)
        with engine.connect() as conn:  # the connection is usable after the failed read
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()

    assert (at_head, emptied, dropped) == (head_revision(), None, None)
