"""The ledger's rules hold in the database itself: CHECKs on totals and lines, an append-only ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.tables import metadata
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import LedgerRuleBroken
from pegboard.entrypoints.cli import main
from pegboard.services import housekeeping
from tests.builders import make_items, make_order, set_stock


def ledger(pb: Pegboard) -> list[tuple[object, ...]]:
    with pb.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, item_id, quantity, kind FROM stock_moves"))]


def totals(pb: Pegboard) -> list[tuple[object, ...]]:
    with pb.engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(text("SELECT sku, on_hand, allocated FROM items ORDER BY sku"))
        ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE stock_moves SET quantity = quantity + 1000000",
        "UPDATE stock_moves SET reason = 'tidied'",
        "DELETE FROM stock_moves",
    ],
)
def test_a_ledger_movement_cannot_be_changed_or_deleted(pb: Pegboard, statement: str) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    before = ledger(pb)

    with pytest.raises(IntegrityError, match="append-only"), pb.engine.begin() as conn:
        conn.execute(text(statement))

    assert ledger(pb) == before and len(before) == 1


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ("UPDATE items SET on_hand = -1000000", "ck_items_(on_hand_not_negative|allocated_within_on_hand)"),
        ("UPDATE items SET allocated = on_hand + 1000000", "ck_items_allocated_within_on_hand"),
        ("UPDATE items SET allocated = -1000000", "ck_items_allocated_within_on_hand"),
    ],
)
def test_an_item_total_that_breaks_the_ledger_is_refused(pb: Pegboard, statement: str, rule: str) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    before = totals(pb)

    with pytest.raises(IntegrityError, match=rule), pb.engine.begin() as conn:
        conn.execute(text(statement))

    assert totals(pb) == before


@pytest.mark.parametrize(
    "change",
    [
        "shipped = quantity",  # allocated 2 + shipped 3 > quantity 3
        "cancelled = 2000000",  # micro-units: allocated 2 + cancelled 2 > 3
        "allocated = -1000000",
    ],
)
def test_an_order_line_whose_parts_exceed_its_quantity_is_refused(pb: Pegboard, change: str) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=2)
    make_order(pb, "SO-1", ("KETTLE", 3))

    with pytest.raises(IntegrityError, match="ck_order_lines_quantities_add_up"), pb.engine.begin() as conn:
        conn.execute(text(f"UPDATE order_lines SET {change}"))


def test_a_broken_rule_inside_a_unit_of_work_is_a_refusal_naming_the_rule(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)

    with (
        pytest.raises(LedgerRuleBroken, match="ledger_append_only.*never changed or deleted"),
        pb.uow() as uow,
    ):
        uow.connection.execute(text("DELETE FROM stock_moves"))
        uow.commit()

    assert len(ledger(pb)) == 1


def test_the_cli_answers_a_broken_rule_with_a_refusal_not_a_traceback(
    pb: Pegboard, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)
    # A stand-in for a bug: every new movement also sets its item's on hand below zero.
    with pb.engine.begin() as conn:
        for statement in _on_hand_sabotage(conn.dialect.name):
            conn.execute(text(statement))

    code = main(["adjust", "KETTLE", "6", "--reason", "recount", "--db", db_url])

    err = capsys.readouterr().err
    assert code == 1
    assert "refused, nothing was written: the change would break the rule 'ck_items_" in err
    assert "Traceback" not in err
    with pb.engine.begin() as conn:
        for statement in _on_hand_sabotage_removed(conn.dialect.name):
            conn.execute(text(statement))
    assert [on_hand for _, on_hand, _ in totals(pb)] == [Decimal(4) * 1_000_000]


def _on_hand_sabotage(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE items SET on_hand = -1 WHERE id = NEW.item_id; RETURN NEW; END $$",
            "CREATE TRIGGER sabotage AFTER INSERT ON stock_moves FOR EACH ROW EXECUTE FUNCTION sabotage()",
        ]
    return [
        "CREATE TRIGGER sabotage AFTER INSERT ON stock_moves "
        "BEGIN UPDATE items SET on_hand = -1 WHERE id = NEW.item_id; END"
    ]


def _on_hand_sabotage_removed(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["DROP TRIGGER sabotage ON stock_moves", "DROP FUNCTION sabotage()"]
    return ["DROP TRIGGER sabotage"]


def test_housekeeping_still_forgets_what_it_may(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)

    housekeeping.forget_old_records(7, uow=pb.uow(), clock=pb.clock)

    assert len(ledger(pb)) == 1


def test_upgrading_a_database_with_stock_keeps_it_and_adds_the_rules(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO items (id, sku, name, procurement) VALUES (1, 'KETTLE', 'Kettle', 'buy')")
        )
        conn.execute(
            text(
                "INSERT INTO stock_moves (item_id, quantity, kind, moved_on, created_at) "
                "VALUES (1, 4000000, 'count', '2026-11-23', '2026-11-23 09:00:00')"
            )
        )
        conn.execute(text("UPDATE items SET on_hand = 4000000"))

    command.upgrade(alembic_config(url), "head")

    with engine.connect() as conn:
        assert conn.execute(text("SELECT sku, on_hand FROM items")).all() == [("KETTLE", 4000000)]
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM stock_moves"))
    with pytest.raises(IntegrityError, match="ck_items_on_hand_not_negative"), engine.begin() as conn:
        conn.execute(text("UPDATE items SET on_hand = -1"))
    engine.dispose()


def test_an_upgrade_over_rows_that_already_break_a_rule_stops_and_names_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO items (sku, name, procurement, on_hand) VALUES ('KETTLE', 'Kettle', 'buy', -1)")
        )

    with pytest.raises(RuntimeError, match="cannot add the ledger rules: .*KETTLE"):
        command.upgrade(alembic_config(url), "head")

    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
    engine.dispose()


def test_the_table_definitions_declare_the_same_checks_as_the_migration(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    metadata.create_all(engine)

    for values, rule in [
        ("-1, 0", "ck_items_on_hand_not_negative"),
        ("1, 2", "ck_items_allocated_within_on_hand"),
    ]:
        with pytest.raises(IntegrityError, match=rule), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO items (sku, name, procurement, on_hand, allocated) "
                    f"VALUES ('K', 'K', 'buy', {values})"
                )
            )
    engine.dispose()
