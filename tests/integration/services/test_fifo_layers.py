"""FIFO stock value over a long receipt history, on SQLite and PostgreSQL: issues take the oldest
receipts still held, however many receipts the item has had."""

from __future__ import annotations

from decimal import Decimal

from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.valuation import CostMethod, replay
from pegboard.services import purchasing, shipping
from pegboard.services import valuation as stock_value
from pegboard.services.imports import ImportKind
from tests.builders import import_text, make_items, make_order, set_stock
from tests.conftest import MONDAY


def test_fifo_issues_after_many_receipts_take_the_oldest_ones_still_held(db_url: str) -> None:
    pb = bootstrap(Settings(database_url=db_url, cost_method=CostMethod.FIFO), today=MONDAY)
    try:
        make_items(pb, "KETTLE")
        # 40 receipts of one kettle each, the n-th at a cost of n.
        rows = "".join(f"PO-{n},Acme,KETTLE,1,2026-12-01,{n}\n" for n in range(1, 41))
        import_text(
            pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity,expected_date,unit_cost\n" + rows
        )
        for n in range(1, 41):
            purchasing.receive(
                f"PO-{n}", "KETTLE", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=AllocationPolicy.FIFO
            )

        make_order(pb, "SO-1", ("KETTLE", 30))
        shipping.ship_order("SO-1", uow=pb.uow(), clock=pb.clock)
        after_shipping = stock_value.valuation(pb.reader()).total
        set_stock(pb, KETTLE=5)  # five more go: the oldest still held, 31 to 35
        after_count = stock_value.valuation(pb.reader()).total
        with pb.reader() as uow:
            stored = uow.valuation.moves()
    finally:
        pb.close()

    assert after_shipping == sum(range(31, 41))
    assert after_count == sum(range(36, 41))
    # The stored value of every issue is what replaying the whole ledger by FIFO gives.
    assert replay(stored, CostMethod.FIFO)["KETTLE"].value == after_count
    issues = [move.value for move in stored if move.quantity < 0]
    assert issues == [-Decimal(sum(range(1, 31))), -Decimal(sum(range(31, 36)))]
