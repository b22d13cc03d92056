"""Only set-up commands create or migrate a database; every other command refuses a missing or older one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from pegboard.adapters.db.engine import normalise_url
from pegboard.adapters.db.migrate import alembic_config, head_revision
from pegboard.entrypoints.cli import main
from tests.conftest import POSTGRES_ADMIN_URL

TODAY = "2026-11-23"
REFUSED_COMMANDS = [
    ("orders",),
    ("backorders", "--json"),
    ("stock", "KETTLE"),
    ("place", "SO-1", "KETTLE:1"),
    ("token", "create", "--name", "shop"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where no Pegboard database is yet: a SQLite path with no file, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pegboard.db'}"
        return
    request.getfixturevalue("postgres_database")  # skips (or fails in CI) without a server
    name = f"pegboard_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str]:
    code = main(["--db", url, "--today", TODAY, *args])
    return code, capsys.readouterr().err


def tables_and_revision(url: str) -> tuple[set[str], str | None]:
    """What the database holds, read without creating anything (None: no SQLite file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).exists():
        return set(), "no file"
    engine = create_engine(normalise_url(url))
    try:
        names = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in names
                else None
            )
        return names, revision
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", REFUSED_COMMANDS, ids=lambda a: a[0])
def test_a_command_on_a_missing_database_exits_2_and_creates_nothing(
    empty_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    before = tables_and_revision(empty_url)

    code, err = run(capsys, empty_url, *args)

    assert code == 2, err
    assert "run `pegboard init`" in err and "Traceback" not in err
    assert tables_and_revision(empty_url) == before


@pytest.mark.parametrize("args", REFUSED_COMMANDS, ids=lambda a: a[0])
def test_a_command_on_an_older_database_exits_2_and_leaves_it_as_it_was(
    empty_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    from alembic import command

    command.upgrade(alembic_config(empty_url), "0004")
    before = tables_and_revision(empty_url)

    code, err = run(capsys, empty_url, *args)

    assert code == 2, err
    assert "run `pegboard init`" in err and "0004" in err
    assert tables_and_revision(empty_url) == before == (before[0], "0004")


def test_init_creates_the_database_and_then_every_command_works(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, empty_url, "init")[0] == 0

    assert tables_and_revision(empty_url)[1] == head_revision()
    assert run(capsys, empty_url, "orders")[0] == 0
    assert run(capsys, empty_url, "init")[0] == 0


def test_init_migrates_an_older_database(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    command.upgrade(alembic_config(empty_url), "0004")

    assert run(capsys, empty_url, "init")[0] == 0
    assert tables_and_revision(empty_url)[1] == head_revision()


def test_demo_is_a_set_up_command_that_creates_its_database(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(capsys, empty_url, "demo", "--steps", "1")

    assert code == 0
    assert tables_and_revision(empty_url)[1] == head_revision()


def test_demo_leaves_an_older_database_to_init(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    command.upgrade(alembic_config(empty_url), "0004")

    code, err = run(capsys, empty_url, "demo")

    assert code == 2 and "run `pegboard init`" in err
    assert tables_and_revision(empty_url)[1] == "0004"


def test_serve_refuses_a_missing_database_unless_auto_migrate_allows_it(
    empty_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[int] = []
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", empty_url)  # serve sets it for its workers
    monkeypatch.delenv("PEGBOARD_TODAY", raising=False)
    monkeypatch.setattr("pegboard.entrypoints.server.run_server", lambda **kw: served.append(kw["port"]))

    code, err = run(capsys, empty_url, "serve", "--port", "8123")
    monkeypatch.setenv("PEGBOARD_AUTO_MIGRATE", "true")
    allowed, _ = run(capsys, empty_url, "serve", "--port", "8124")

    assert code == 2 and "run `pegboard init`" in err
    assert allowed == 0 and served == [8124]
    assert tables_and_revision(empty_url)[1] == head_revision()


def test_init_gives_stock_from_before_stock_values_its_opening_value_once(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic import command

    from tests.invariants import assert_invariants

    # A database from before stock values (0009): 4 kettles (cost 12.50) and 3 mugs (no cost) held.
    command.upgrade(alembic_config(empty_url), "0009")
    engine = create_engine(normalise_url(empty_url))
    with engine.begin() as conn:
        for sku, cost, on_hand in (("KETTLE", 12_500_000, 4_000_000), ("MUG", None, 3_000_000)):
            conn.execute(
                text(
                    "INSERT INTO items (sku, name, procurement, unit, cost, on_hand) "
                    "VALUES (:sku, :sku, 'buy', 'each', :cost, :on_hand)"
                ),
                {"sku": sku, "cost": cost, "on_hand": on_hand},
            )
            conn.execute(
                text(
                    "INSERT INTO stock_moves (item_id, location, quantity, kind, reference, reason, "
                    "moved_on, created_at) SELECT id, 'MAIN', on_hand, 'count', 'start', '', '2026-11-01', "
                    "'2026-11-01 09:00:00' FROM items WHERE sku = :sku"
                ),
                {"sku": sku},
            )

    code, err = run(capsys, empty_url, "init")
    again, err_again = run(capsys, empty_url, "init")

    assert (code, again) == (0, 0)
    assert "Opening stock value at standard cost: 2 items, 50" in err
    assert "Opening stock value" not in err_again
    with engine.connect() as conn:
        values = conn.execute(
            text(
                "SELECT i.sku, sv.quantity, sv.value, sv.kind FROM stock_values sv "
                "JOIN items i ON i.id = sv.item_id ORDER BY i.sku"
            )
        ).all()
        inventory = conn.execute(
            text("SELECT SUM(debit) - SUM(credit) FROM journal_lines WHERE account = '1200'")
        ).scalar()
    assert [tuple(v) for v in values] == [
        ("KETTLE", 4_000_000, 50_000_000, "opening"),
        ("MUG", 3_000_000, 0, "opening"),
    ]
    assert inventory == 50_000_000
    assert_invariants(engine)
    engine.dispose()
