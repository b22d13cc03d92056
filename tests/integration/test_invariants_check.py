"""The invariants check itself: it fails on a database that breaks them, and runs after every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.engine import make_engine
from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.cli import main
from tests import conftest
from tests.builders import make_items, make_order, set_stock
from tests.invariants import assert_invariants


@pytest.mark.breaks_invariants
def test_on_hand_that_differs_from_the_ledger_fails_the_check(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=4)

    with pb.engine.begin() as conn:
        conn.execute(update(t.items).where(t.items.c.sku == "KETTLE").values(on_hand=t.items.c.on_hand + 1))

    with pytest.raises(AssertionError, match="ledger sum"):
        assert_invariants(pb.engine)


@pytest.mark.breaks_invariants
def test_a_waiting_total_that_differs_from_the_lines_fails_the_check(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 2))

    with pb.engine.begin() as conn:
        conn.execute(update(t.items).where(t.items.c.sku == "KETTLE").values(waiting=t.items.c.waiting - 1))

    with pytest.raises(AssertionError, match="waiting kept 1, stock lines wait for 2"):
        assert_invariants(pb.engine)


def test_the_check_after_each_test_finds_a_database_only_the_cli_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'own.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "orders"]) == 0

    assert url in conftest._USED
    with make_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO items (sku, name, procurement, on_hand) VALUES ('X', 'X', 'buy', 5)"))
    with pytest.raises(AssertionError, match="on hand kept"):
        conftest._check_invariants(url)
    with make_engine(url).begin() as conn:
        conn.execute(text("DELETE FROM items"))
