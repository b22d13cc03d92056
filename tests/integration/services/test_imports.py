"""CSV import is all-or-nothing: a bad row names its line, row, field and value, and nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest import CaptureFixture
from sqlalchemy import Table, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.domain import limits
from pegboard.domain.items import Supplier
from pegboard.entrypoints.cli import main
from pegboard.services.imports import COLUMNS, ImportKind, ImportRejected
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


# A partial re-import keeps what it does not name


def test_reimporting_items_with_only_the_required_columns_keeps_every_other_stored_value(
    pb: Pegboard,
) -> None:
    catalogue(pb)

    import_text(pb, ImportKind.ITEMS, "sku,name,procurement\nKETTLE,Blue kettle XL,buy\n")

    with pb.reader() as uow:
        kettle = uow.catalogue.items()["KETTLE"]
    assert kettle.name == "Blue kettle XL"
    assert (kettle.price, kettle.cost, kettle.lead_time_days, kettle.supplier) == (30, 12.5, 5, "Acme")
    assert (kettle.safety_stock, kettle.reorder_point, kettle.reorder_qty) == (2, 4, 10)
    assert (kettle.min_order_qty, kettle.order_multiple, kettle.unit) == (5, 5, "pcs")


def test_an_empty_cell_in_a_present_column_clears_only_that_value(pb: Pegboard) -> None:
    catalogue(pb)

    import_text(pb, ImportKind.ITEMS, "sku,name,procurement,lead_time_days\nKETTLE,Blue kettle,buy,\n")

    with pb.reader() as uow:
        kettle = uow.catalogue.items()["KETTLE"]
    assert kettle.lead_time_days is None
    assert (kettle.price, kettle.supplier, kettle.safety_stock) == (30, "Acme", 2)


def test_reimporting_suppliers_without_the_email_column_keeps_their_emails(pb: Pegboard) -> None:
    catalogue(pb)

    import_text(pb, ImportKind.SUPPLIERS, "name,lead_time_days\nAcme,4\n")

    with pb.reader() as uow:
        acme = uow.catalogue.supplier("Acme")
    assert acme == Supplier("Acme", "sales@acme.example", 4)


def test_the_import_summary_says_what_was_created_and_which_fields_changed(pb: Pegboard) -> None:
    catalogue(pb)

    result = import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,price,cost\n"
        "KETTLE,Blue kettle,buy,31,12.5\nMUG,Mug,buy,9,3\nGIFTSET,Kettle and two mugs,make,45,\n"
        "TEAPOT,Teapot,buy,20,\n",
    )

    assert result.summary == "1 item created; 2 items updated: price changed for 2, cost for 1; 1 unchanged"
    assert result.written == 3


def test_the_cli_prints_what_an_import_changed(
    db_url: str, tmp_path: Path, capsys: CaptureFixture[str]
) -> None:
    suppliers, items = tmp_path / "suppliers.csv", tmp_path / "items.csv"
    suppliers.write_text(SUPPLIERS)
    items.write_text(ITEMS)
    assert main(["--db", db_url, "import", "suppliers", str(suppliers)]) == 0
    assert main(["--db", db_url, "import", "items", str(items)]) == 0
    items.write_text("sku,name,procurement,price\nKETTLE,Blue kettle,buy,32\nMUG,Mug,buy,8\n")
    capsys.readouterr()

    assert main(["--db", db_url, "import", "items", str(items)]) == 0

    assert "1 item updated: price changed for 1; 1 unchanged." in capsys.readouterr().out


# Faults of the file itself


def test_an_unterminated_quote_is_refused_naming_the_line_where_it_opened(pb: Pegboard) -> None:
    message = rejected(
        pb,
        ImportKind.SUPPLIERS,
        'name,email,lead_time_days\nAcme,sales@acme.example,3\nSlowCo,"slow@slow.example,4\nLast,,\nLater,,\n',
    )

    assert "line 3" in message and "quote" in message and "not closed" in message
    assert rows(pb, t.suppliers) == 0


def test_a_quote_closed_in_the_wrong_place_is_refused_naming_the_line_where_it_opened(pb: Pegboard) -> None:
    message = rejected(
        pb, ImportKind.SUPPLIERS, 'name,email\nAcme,"sales@acme.example\nSlowCo,"slow@slow.example",4\n'
    )

    assert "line 2:" in message and "quote" in message
    assert rows(pb, t.suppliers) == 0


def test_a_quoted_line_break_in_an_address_is_kept_and_later_rows_name_their_real_line(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb,
        ImportKind.ORDERS,
        'order_ref,sku,quantity,ship_to\nSO-1,KETTLE,1,"1 High St\nLeeds"\nSO-2,KETTLE,x,\n',
    )

    assert message.endswith(
        "line 4: row 2, field 'quantity', value 'x': is not a number (digits with an "
        "optional decimal point, such as 12.5)"
    )


@pytest.mark.parametrize("kind", list(ImportKind))
def test_a_repeated_header_column_is_refused_naming_it(pb: Pegboard, kind: ImportKind) -> None:
    required, _ = COLUMNS[kind]
    header = ",".join((*required, required[-1]))

    message = rejected(pb, kind, f"{header}\n{','.join('x' for _ in range(len(required) + 1))}\n")

    assert f"column {required[-1]!r} appears more than once" in message


@pytest.mark.parametrize(
    "email", ["sales", "sales@acme", "sales @acme.example", "a@b@acme.example", "sales@.example"]
)
def test_a_supplier_email_that_is_not_an_address_names_row_column_and_value(pb: Pegboard, email: str) -> None:
    message = rejected(pb, ImportKind.SUPPLIERS, f"name,email\nAcme,ok@acme.example\nSlowCo,{email}\n")

    assert f"line 3: row 2, field 'email', value {email!r}: is not an email address" in message
    assert rows(pb, t.suppliers) == 0


def test_a_customer_email_that_is_not_an_address_is_refused(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb, ImportKind.ORDERS, "order_ref,email,sku,quantity\nSO-1,ada-at-example.com,KETTLE,1\n"
    )

    assert "row 1, field 'email', value 'ada-at-example.com': is not an email address" in message


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [
        (ImportKind.SUPPLIERS, "name\n{}\n", "name"),
        (ImportKind.ITEMS, "sku,name,procurement\n{}\n", "sku"),
        (ImportKind.ITEMS, "sku,name,procurement,unit\nKETTLE,Kettle,buy,{}\n", "unit"),
        (ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-1,{},KETTLE,1\n", "customer"),
    ],
)
def test_a_control_character_in_a_cell_is_refused_naming_the_field(
    pb: Pegboard, kind: ImportKind, text: str, field: str
) -> None:
    catalogue(pb)

    message = rejected(pb, kind, text.format("BAD\x00NAME"))

    assert f"field {field!r}" in message and "control character U+0000" in message


@pytest.mark.parametrize(
    ("kind", "header", "field", "limit"),
    [
        (ImportKind.SUPPLIERS, "name\n{}\n", "name", limits.SUPPLIER_NAME),
        (ImportKind.ITEMS, "sku,name,procurement,unit\nKETTLE,Kettle,buy,{}\n", "unit", limits.UNIT),
        (ImportKind.ITEMS, "sku,name,procurement\n{},Kettle,buy\n", "sku", limits.SKU),
        (ImportKind.ORDERS, "order_ref,sku,quantity\n{},KETTLE,1\n", "order_ref", limits.ORDER_REF),
    ],
)
def test_an_over_long_cell_is_refused_naming_the_field_and_limit_on_every_database(
    pb: Pegboard, kind: ImportKind, header: str, field: str, limit: int
) -> None:
    catalogue(pb)

    message = rejected(pb, kind, header.format("x" * (limit + 1)))

    assert f"field {field!r}" in message and f"is longer than {limit} characters" in message


def test_a_cell_as_long_as_its_column_is_stored(pb: Pegboard) -> None:
    catalogue(pb)

    import_text(pb, ImportKind.ITEMS, f"sku,name,procurement,unit\nKETTLE,Kettle,buy,{'u' * limits.UNIT}\n")

    with pb.reader() as uow:
        assert uow.catalogue.items()["KETTLE"].unit == "u" * limits.UNIT


# Messages name the row and column


def test_an_existing_order_ref_with_other_content_names_its_line_even_in_a_large_file(pb: Pegboard) -> None:
    catalogue(pb)
    import_text(pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\nSO-1500,Ada,KETTLE,1\n")
    lines = [f"SO-{n},Ada,KETTLE,{2 if n == 1500 else 1}" for n in range(1, 3001)]

    message = rejected(pb, ImportKind.ORDERS, "order_ref,customer,sku,quantity\n" + "\n".join(lines) + "\n")

    assert (
        "line 1501: row 1500, field 'order_ref', value 'SO-1500': already exists with different content"
        in (message)
    )
    assert rows(pb, t.sales_orders) == 1


def test_an_existing_po_ref_with_other_content_names_its_line(pb: Pegboard) -> None:
    catalogue(pb)
    import_text(pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity\nPO-1,Acme,KETTLE,5\n")

    message = rejected(
        pb, ImportKind.PURCHASE_ORDERS, "po_ref,supplier,sku,quantity\nPO-2,Acme,MUG,1\nPO-1,Acme,KETTLE,6\n"
    )

    assert "line 3: row 2, field 'po_ref', value 'PO-1': already exists with different content" in message
    assert rows(pb, t.purchase_orders) == 1


def test_an_unknown_supplier_on_a_purchase_order_names_its_line_and_column(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb,
        ImportKind.PURCHASE_ORDERS,
        "po_ref,supplier,sku,quantity\nPO-1,Acme,KETTLE,5\nPO-2,Nobody,MUG,1\n",
    )

    assert "line 3: row 2, field 'supplier', value 'Nobody': unknown supplier" in message
    assert rows(pb, t.purchase_orders) == 0


def test_a_component_twice_in_one_bom_names_the_second_row(pb: Pegboard) -> None:
    catalogue(pb)

    message = rejected(
        pb,
        ImportKind.BOMS,
        "parent_sku,component_sku,quantity\nGIFTSET,KETTLE,1\nGIFTSET,MUG,2\nGIFTSET,KETTLE,3\n",
    )

    assert (
        "line 4: row 3, field 'component_sku', value 'KETTLE': appears twice in the BOM of GIFTSET" in message
    )
    assert "first on line 2" in message


def test_a_bom_cycle_names_the_row_that_closes_it(pb: Pegboard) -> None:
    import_text(pb, ImportKind.ITEMS, "sku,name,procurement\nA,A,make\nB,B,make\nC,C,make\nD,D,make\n")
    import_text(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nA,B,1\nB,C,1\n")

    message = rejected(pb, ImportKind.BOMS, "parent_sku,component_sku,quantity\nD,A,1\nC,A,1\n")

    assert "line 3: row 2, field 'component_sku', value 'A': closes a BOM cycle: A -> B -> C -> A" in message


def test_a_bad_item_supplier_names_its_line(pb: Pegboard) -> None:
    import_text(pb, ImportKind.SUPPLIERS, SUPPLIERS)

    message = rejected(
        pb, ImportKind.ITEMS, "sku,name,procurement,supplier\nMUG,Mug,buy,Acme\nKETTLE,Kettle,buy,Nobody\n"
    )

    assert "line 3: row 2, field 'supplier', value 'Nobody': unknown supplier" in message


def test_a_short_first_row_still_clears_the_columns_the_header_names(pb: Pegboard) -> None:
    catalogue(pb)

    import_text(pb, ImportKind.ITEMS, "sku,name,procurement,price\nKETTLE,Blue kettle,buy\n")

    with pb.reader() as uow:
        assert uow.catalogue.items()["KETTLE"].price is None
