"""Quantities are stored exactly or refused; component needs are rounded up by one rule everywhere."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import StatementError

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import LedgerRuleBroken
from pegboard.domain.quantities import QuantityError, to_quantity
from pegboard.services import manufacturing, planning, stock
from pegboard.services.imports import ImportKind, ImportRejected
from tests.builders import import_text, make_order, set_stock


def bracket_workshop(pb: Pegboard) -> None:
    """BRACKET (make) takes 0.333333 kg of RESIN (buy) per unit."""
    import_text(pb, ImportKind.SUPPLIERS, "name,email,lead_time_days\nAcme,buy@acme.test,3\n")
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,unit,lead_time_days,supplier\n"
        "BRACKET,Bracket,make,pcs,0,\n"
        "RESIN,Resin,buy,kg,3,Acme\n",
    )
    import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nBRACKET,RESIN,0.333333\n")


def on_hand(pb: Pegboard, sku: str) -> Decimal:
    return stock.stock_of(sku, uow=pb.reader()).stock.on_hand


def test_completing_half_a_bracket_consumes_the_need_rounded_up_not_cut(pb: Pegboard) -> None:
    bracket_workshop(pb)
    set_stock(pb, RESIN="1")
    mo = manufacturing.open_manufacturing_order("BRACKET", to_quantity("0.5"), uow=pb.uow(), clock=pb.clock)

    manufacturing.complete_manufacturing_order(
        mo.mo_ref, Decimal("0.5"), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )

    assert on_hand(pb, "RESIN") == Decimal("0.833333")
    with pb.engine.connect() as conn:
        consumed = conn.execute(
            select(t.stock_moves.c.quantity).where(t.stock_moves.c.kind == "consumption")
        ).scalar_one()
    assert consumed == Decimal("-0.166667")


def test_the_plan_the_material_check_and_the_completion_agree_on_a_fractional_need(pb: Pegboard) -> None:
    bracket_workshop(pb)
    make_order(pb, "SO-1", ("BRACKET", "0.5"))

    run = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)
    missing = manufacturing.material_check("BRACKET", Decimal("0.5"), uow=pb.reader())

    assert [(s.sku, s.quantity) for s in run.result.purchase_suggestions] == [("RESIN", Decimal("0.166667"))]
    assert [(s.sku, s.quantity) for s in missing] == [("RESIN", Decimal("0.166667"))]

    set_stock(pb, RESIN="0.166667")
    mo = manufacturing.open_manufacturing_order("BRACKET", to_quantity("0.5"), uow=pb.uow(), clock=pb.clock)
    manufacturing.complete_manufacturing_order(
        mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
    )

    assert on_hand(pb, "RESIN") == 0


def test_a_bom_quantity_finer_than_the_storage_is_refused_naming_the_field(pb: Pegboard) -> None:
    bracket_workshop(pb)

    with pytest.raises(ImportRejected, match="field 'quantity', value '0.3333333': has more than 6 decimal"):
        import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nBRACKET,RESIN,0.3333333\n")

    with pb.reader() as uow:
        assert uow.catalogue.boms().components("BRACKET")[0].quantity_per == Decimal("0.333333")


def test_a_value_the_column_cannot_hold_exactly_is_refused_on_write_not_truncated(pb: Pegboard) -> None:
    bracket_workshop(pb)

    with pytest.raises(StatementError) as refused, pb.engine.begin() as conn:
        conn.execute(
            insert(t.stock_moves).values(
                item_id=select(t.items.c.id).where(t.items.c.sku == "RESIN").scalar_subquery(),
                quantity=Decimal("0.1666665"),
                kind="count",
                moved_on=date(2026, 11, 23),
                created_at=datetime(2026, 11, 23, 9),
            )
        )

    assert isinstance(refused.value.orig, QuantityError)
    with pb.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.stock_moves)).scalar_one() == 0


def test_a_value_refused_on_write_reaches_the_user_as_a_refusal(pb: Pegboard) -> None:
    bracket_workshop(pb)
    resin = select(t.items.c.id).where(t.items.c.sku == "RESIN").scalar_subquery()
    move = {"kind": "count", "moved_on": date(2026, 11, 23), "created_at": datetime(2026, 11, 23, 9)}

    with pytest.raises(LedgerRuleBroken, match="exact_quantities.*0.1666665 has more than 6 decimal places"):
        with pb.uow() as uow:
            uow.connection.execute(
                insert(t.stock_moves).values(item_id=resin, quantity=Decimal("0.1666665"), **move)
            )
            uow.commit()
