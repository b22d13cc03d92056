"""The invariants check itself: it fails on a database that breaks them, and runs after every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.engine import make_engine
from pegboard.bootstrap import Pegboard
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.entrypoints.cli import main
from pegboard.services import manufacturing
from pegboard.services.imports import ImportKind
from tests import conftest
from tests.builders import import_text, make_items, make_order, set_stock
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


def double_emitter_mo(pb: Pegboard) -> None:
    """MO-1: one blue saber with a second emitter, an option that adds to the BOM's one."""
    demo.load_catalogue(pb)
    import_text(
        pb,
        ImportKind.OPTIONS,
        "parent_sku,option,value,component_sku,quantity,replaces_sku\n"
        "SABER-BLUE,EMITTER,single,,,\nSABER-BLUE,EMITTER,double,EMITTER,1,\n",
    )
    manufacturing.open_manufacturing_order(
        "SABER-BLUE", to_quantity(1), uow=pb.uow(), clock=pb.clock, options={"EMITTER": "double"}
    )


def test_an_mo_may_reserve_what_its_configuration_adds_to_a_component_of_the_bom(pb: Pegboard) -> None:
    double_emitter_mo(pb)

    with pb.engine.connect() as conn:
        reserved = conn.execute(
            select(t.mo_reservations.c.quantity)
            .join(t.items, t.items.c.id == t.mo_reservations.c.item_id)
            .where(t.items.c.sku == "EMITTER")
        ).scalar_one()

    assert reserved == 2
    assert_invariants(pb.engine)


@pytest.mark.breaks_invariants
def test_an_mo_reserving_more_than_its_configuration_takes_fails_the_check(pb: Pegboard) -> None:
    double_emitter_mo(pb)

    emitter = select(t.items.c.id).where(t.items.c.sku == "EMITTER").scalar_subquery()
    with pb.engine.begin() as conn:
        conn.execute(
            update(t.mo_reservations)
            .where(t.mo_reservations.c.item_id == emitter)
            .values(quantity=t.mo_reservations.c.quantity + 1)
        )
        conn.execute(update(t.items).where(t.items.c.id == emitter).values(allocated=t.items.c.allocated + 1))

    with pytest.raises(AssertionError, match="MO-1: 3 of EMITTER reserved, more than it takes"):
        assert_invariants(pb.engine)
