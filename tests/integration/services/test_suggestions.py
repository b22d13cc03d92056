"""Confirming the plan's suggestions per SKU, per planned MO, and per supplier with edited quantities."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue, UnknownSku
from pegboard.services import planning, suggestions
from pegboard.services.planning import NothingSuggested
from tests.integration.views.story import after_first_shipments


def supply_rows(pb: Pegboard) -> tuple[int, int, int]:
    with pb.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(t.purchase_orders)).scalar_one(),
            conn.execute(select(func.count()).select_from(t.purchase_order_lines)).scalar_one(),
            conn.execute(select(func.count()).select_from(t.manufacturing_orders)).scalar_one(),
        )


def test_buying_what_is_missing_for_a_saber_orders_its_crystals_and_opens_no_mo(pb: Pegboard) -> None:
    after_first_shipments(pb)

    run = suggestions.buy_what_is_missing("SABER-GREEN", uow=pb.uow(), clock=pb.clock)

    assert run.created == ["PO-1"]
    with pb.reader() as uow:
        po = uow.supply.purchase_order("PO-1")
    assert po is not None
    assert (po.supplier, [(line.sku, line.quantity) for line in po.lines]) == (
        "Crystal Broker",
        [("KYBER-GREEN", 2)],
    )
    assert supply_rows(pb) == (1, 1, 0)


def test_making_what_you_can_opens_the_suggested_mos_of_that_sku_only(pb: Pegboard) -> None:
    after_first_shipments(pb)

    run = suggestions.make_what_you_can("SABER-GREEN", uow=pb.uow(), clock=pb.clock)

    assert run.created == ["MO-1", "MO-2"]
    assert supply_rows(pb) == (0, 0, 2)
    with pytest.raises(NothingSuggested):
        suggestions.make_what_you_can("SABER-BLUE", uow=pb.uow(), clock=pb.clock)


def test_buying_for_an_unknown_sku_is_refused(pb: Pegboard) -> None:
    after_first_shipments(pb)
    with pytest.raises(UnknownSku):
        suggestions.buy_what_is_missing("NOPE", uow=pb.uow(), clock=pb.clock)
    assert supply_rows(pb) == (0, 0, 0)


def test_one_planned_mo_is_confirmed_by_its_ref(pb: Pegboard) -> None:
    after_first_shipments(pb)

    created = suggestions.confirm_planned_mo("PLANNED-1", "SABER-GREEN", uow=pb.uow(), clock=pb.clock)

    assert created == ["MO-1"]
    with pb.reader() as uow:
        mo = uow.supply.manufacturing_order("MO-1")
    assert mo is not None and (mo.sku, mo.quantity) == ("SABER-GREEN", 1)
    with pytest.raises(NothingSuggested):
        suggestions.confirm_planned_mo("PLANNED-1", "SABER-BLUE", uow=pb.uow(), clock=pb.clock)


def test_edited_quantities_become_one_po_per_supplier_and_the_promises_follow(pb: Pegboard) -> None:
    after_first_shipments(pb)

    created = suggestions.order_suggested(
        {("Crystal Broker", "KYBER-GREEN"): Decimal(5)}, uow=pb.uow(), clock=pb.clock
    )

    assert created == ["PO-1"]
    with pb.reader() as uow:
        po = uow.supply.purchase_order("PO-1")
    assert po is not None and [(line.sku, line.quantity) for line in po.lines] == [("KYBER-GREEN", 5)]
    after = planning.run_plan(uow=pb.uow(), clock=pb.clock, store=False)
    assert [s.sku for s in after.result.purchase_suggestions] == []


def test_a_negative_or_unsuggested_quantity_is_refused_and_nothing_is_written(pb: Pegboard) -> None:
    after_first_shipments(pb)

    with pytest.raises(InvalidValue, match="KYBER-GREEN"):
        suggestions.order_suggested(
            {("Crystal Broker", "KYBER-GREEN"): Decimal(-1)}, uow=pb.uow(), clock=pb.clock
        )
    with pytest.raises(InvalidValue, match="HILT"):
        suggestions.order_suggested(
            {("Crystal Broker", "KYBER-GREEN"): Decimal(2), ("Passing Traders", "HILT"): Decimal(4)},
            uow=pb.uow(),
            clock=pb.clock,
        )
    with pytest.raises(NothingSuggested):
        suggestions.order_suggested(
            {("Crystal Broker", "KYBER-GREEN"): Decimal(0)}, uow=pb.uow(), clock=pb.clock
        )

    assert supply_rows(pb) == (0, 0, 0)
