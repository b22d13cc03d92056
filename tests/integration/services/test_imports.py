"""CSV import is all-or-nothing: a bad row names its line, row, field and value, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Table, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.services.imports import ImportKind, ImportRejected
from tests.builders import import_text, line_state, make_items

SUPPLIERS = "name,email,lead_time_days\nAcme,sales@acme.example,3\nSlowCo,,\n"
ITEMS = (
    "sku,name,procurement,unit,price,cost,lead_time_days,supplier,safety_stock,reorder_point,"
    "reorder_qty,min_order_qty,order_multiple\n"
    "KETTLE,Blue kettle,buy,pcs,30,12.5,5,Acme,2,4,10,5,5\n"
    "MUG,Mug,buy,pcs,8,2,,SlowCo,,,,,\n"
    "GIFTSET,Kettle and two mugs,make,set,45,,1,,,,,,\n"
)


def rows(pb: Pegboard, table: Table) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def catalogue(pb: Pegboard) -> None:
    import_text(pb, ImportKind.SUPPLIERS, SUPPLIERS)
    import_text(pb, ImportKind.ITEMS, ITEMS)


def rejected(pb: Pegboard, kind: ImportKind, text: str) -> str:
    with pytest.raises(ImportRejected) as error:
        import_text(pb, kind, text)
    return error.value.message


def test_a_whole_catalogue_imports_with_optional_columns(pb: Pegboard) -> None:
    catalogue(pb)
    import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nGIFTSET,KETTLE,1\nGIFTSET,MUG,2\n")
    import_text(pb, ImportKind.STOCK, "sku,quantity\nKETTLE,4\nMUG,0.5\n")

    with pb.reader() as uow:
        items = uow.catalogue.items()
        boms = uow.catalogue.boms()
        levels = uow.stock.levels(["KETTLE", "MUG"])
    kettle = items["KETTLE"]
    assert (kettle.price, kettle.cost, kettle.supplier, kettle.min_order_qty) == (30, 12.5, "Acme", 5)
    assert items["MUG"].lead_time_days is None
    assert [(b.component_sku, b.quantity_per) for b in boms.components("GIFTSET")] == [
        ("KETTLE", 1),
        ("MUG", 2),
    ]
    assert (levels["KETTLE"].on_hand, levels["MUG"].on_hand) == (4, 0.5)


def test_orders_group_rows_by_ref_and_are_placed_oldest_first(pb: Pegboard) -> None:
    catalogue(pb)
    import_text(pb, ImportKind.STOCK, "sku,quantity\nKETTLE,3\n")

    import_text(
        pb,
        ImportKind.ORDERS,
        "order_ref,customer,email,ordered_at,sku,quantity,unit_price,priority,ship_policy\n"
        "SO-2,Bo,bo@example.com,2026-11-21T10:00,KETTLE,2,30,0,partial\n"
        "SO-1,Ada,ada@example.com,2026-11-20T09:00,KETTLE,2,30,0,complete\n"
        "SO-1,Ada,ada@example.com,2026-11-20T09:00,MUG,1,8,0,complete\n",
    )

    assert line_state(pb, "SO-1") == [("KETTLE", 2, 0, 0, 0), ("MUG", 0, 0, 1, 0)]
    assert line_state(pb, "SO-2") == [("KETTLE", 1, 0, 1, 0)]


def test_importing_the_same_orders_again_changes_nothing(pb: Pegboard) -> None:
    catalogue(pb)
    text = "order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,2\n"
    import_text(pb, ImportKind.ORDERS, text)

    result = import_text(pb, ImportKind.ORDERS, text)

    assert result.written == 0
    assert rows(pb, t.order_lines) == 1


def test_purchase_orders_group_rows_by_ref(pb: Pegboard) -> None:
    catalogue(pb)

    import_text(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date,unit_cost\n"
        "PO-1,Acme,KETTLE,10,2026-12-01,12\nPO-1,Acme,MUG,20,2026-12-03,2\n",
    )

    with pb.reader() as uow:
        po = uow.supply.purchase_order("PO-1")
    assert po is not None
    assert [(line.sku, line.quantity, line.expected_date) for line in po.lines] == [
        ("KETTLE", 10, date(2026, 12, 1)),
        ("MUG", 20, date(2026, 12, 3)),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "zero"),
        ("-3", "negative"),
        ("three", "not a number"),
        ("1e15", "not a number"),
        ("1_000", "not a number"),
        ("\uff11\uff12", "not a number"),
        ("2000000000", "larger than"),
        ("1.1234567", "decimal places"),
        ("", "is empty"),
    ],
)
def test_a_bad_quantity_names_the_line_row_field_and_value(pb: Pegboard, value: str, reason: str) -> None:
    catalogue(pb)

    message = rejected(
        pb, ImportKind.ORDERS, f"order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,1\nSO-2,Bo,KETTLE,{value}\n"
    )

    assert "line 3" in message and "row 2" in message and "'quantity'" in message and reason in message
    assert rows(pb, t.sales_orders) == 0


def test_an_unknown_sku_is_named_and_nothing_is_written(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,1\nSO-2,Bo,TEAPOT,1\n"
    )

    assert "row 2" in message and "'sku'" in message and "TEAPOT" in message
    assert rows(pb, t.sales_orders) == 0


def test_a_bad_date_is_named(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb, ImportKind.ORDERS, "order_ref,customer,ordered_at,sku,quantity\nSO-1,Ada,31/12/2026,KETTLE,1\n"
    )

    assert "'ordered_at'" in message and "31/12/2026" in message


def test_a_bad_expected_date_on_a_purchase_order_is_named(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity,expected_date\nPO-1,Acme,KETTLE,5,2026-13-01\n",
    )

    assert "'expected_date'" in message and "2026-13-01" in message
    assert rows(pb, t.purchase_orders) == 0


def test_an_unknown_supplier_on_an_item_is_named(pb: Pegboard) -> None:
    import_text(pb, ImportKind.SUPPLIERS, SUPPLIERS)

    message = rejected(pb, ImportKind.ITEMS, "sku,name,procurement,supplier\nKETTLE,Kettle,buy,Nobody\n")

    assert "Nobody" in message and "supplier" in message
    assert rows(pb, t.items) == 0


def test_an_unknown_procurement_lists_the_allowed_ones(pb: Pegboard) -> None:
    message = rejected(pb, ImportKind.ITEMS, "sku,name,procurement\nKETTLE,Kettle,steal\n")

    assert "'procurement'" in message and "buy, make, dropship" in message


def test_a_missing_required_column_is_named(pb: Pegboard) -> None:
    message = rejected(pb, ImportKind.ITEMS, "sku,name\nKETTLE,Kettle\n")

    assert "procurement" in message and "missing" in message


def test_an_unknown_column_is_refused_rather_than_ignored(pb: Pegboard) -> None:
    message = rejected(pb, ImportKind.STOCK, "sku,quantiy\nKETTLE,4\n")

    assert "quantiy" in message


def test_a_row_with_too_many_cells_is_malformed(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(pb, ImportKind.STOCK, "sku,quantity\nKETTLE,4,extra\n")

    assert "more cells than the header" in message
    with pb.reader() as uow:
        assert uow.stock.levels(["KETTLE"])["KETTLE"].on_hand == 0


def test_an_empty_file_needs_a_header(pb: Pegboard) -> None:
    assert "header" in rejected(pb, ImportKind.SUPPLIERS, "")


def test_a_bom_cycle_is_refused_and_named(pb: Pegboard) -> None:
    import_text(pb, ImportKind.ITEMS, "sku,name,procurement\nA,A,make\nB,B,make\nC,C,make\n")
    import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nA,B,1\nB,C,1\n")

    message = rejected(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nC,A,1\n")

    assert "cycle" in message and "A -> B -> C -> A" in message
    with pb.reader() as uow:
        assert uow.catalogue.boms().components("C") == []


def test_a_bom_on_a_bought_item_is_refused(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nKETTLE,MUG,1\n")

    assert "only make items have a BOM" in message


def test_one_order_ref_with_two_customers_is_refused(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,1\nSO-1,Bo,MUG,1\n"
    )

    assert "customer" in message and "Bo" in message


def test_an_order_ref_already_used_for_other_content_is_refused_whole(pb: Pegboard) -> None:
    catalogue(pb)
    import_text(pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-1,Ada,KETTLE,1\n")

    message = rejected(
        pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-2,Bo,MUG,1\nSO-1,Ada,KETTLE,5\n"
    )

    assert "SO-1" in message
    assert rows(pb, t.sales_orders) == 1


def test_all_bad_rows_are_reported_at_once(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(pb, ImportKind.STOCK, "sku,quantity\nKETTLE,-1\nMUG,x\n")

    assert "line 2" in message and "line 3" in message


def test_asking_for_more_skus_than_one_statement_can_carry_still_finds_them(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", "MUG")
    wanted = [f"NOPE-{n}" for n in range(70_000)] + ["MUG", "KETTLE"]

    with pb.reader() as uow:
        found = uow.catalogue.items(wanted)

    assert sorted(found) == ["KETTLE", "MUG"]
