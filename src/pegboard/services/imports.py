"""CSV import, all-or-nothing: every row is checked first, and one bad row writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import OrderCharges
from pegboard.domain.errors import (
    BomCycle,
    DomainError,
    DuplicateRef,
    InvalidValue,
    UnknownReference,
)
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.options import OptionRow
from pegboard.domain.quantities import ZERO
from pegboard.domain.supply import PurchaseOrder
from pegboard.services.catalogue import save_boms, save_items, save_options, save_suppliers
from pegboard.services.csv_reading import ImportRejected as ImportRejected
from pegboard.services.csv_reading import Row, read_rows
from pegboard.services.csv_rows import (
    ItemRow,
    OptionsRow,
    OrderRow,
    PurchaseOrderRow,
    StockRow,
    SupplierRow,
    bom_line,
)
from pegboard.services.import_kinds import ImportKind as ImportKind
from pegboard.services.orders import OrderDraft, place_orders
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.purchasing import add_purchase_orders
from pegboard.services.stock import count_stock

#: Optional orders columns: the line's tax and discount, the order's shipping and its tax.
ORDER_CHARGE_COLUMNS = ("tax", "discount", "shipping", "shipping_tax")

COLUMNS: dict[ImportKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ImportKind.SUPPLIERS: (("name",), ("email", "lead_time_days")),
    ImportKind.ITEMS: (
        ("sku", "name", "procurement"),
        (
            "unit",
            "price",
            "cost",
            "lead_time_days",
            "supplier",
            "safety_stock",
            "reorder_point",
            "reorder_qty",
            "min_order_qty",
            "order_multiple",
            "release_date",
            "labour_cost",
            "tax_rate",
        ),
    ),
    ImportKind.BOMS: (("parent_sku", "component_sku", "quantity"), ()),
    ImportKind.STOCK: (("sku", "quantity"), ()),
    ImportKind.ORDERS: (
        ("order_ref", "sku", "quantity"),
        (
            "customer",
            "email",
            "ordered_at",
            "unit_price",
            "priority",
            "ship_policy",
            "ship_to",
            "requested_date",
        )
        + ORDER_CHARGE_COLUMNS
        + ("options",),
    ),
    ImportKind.PURCHASE_ORDERS: (
        ("po_ref", "supplier", "sku", "quantity"),
        ("expected_date", "unit_cost"),
    ),
    ImportKind.OPTIONS: (
        ("parent_sku", "option", "value"),
        ("component_sku", "quantity", "replaces_sku"),
    ),
}


@dataclass
class ImportResult:
    kind: ImportKind
    rows: int
    written: int
    notes: list[str] = field(default_factory=list)
    #: What changed, in words ("3 items updated: price changed for 2").
    summary: str = ""


def _parse_each(rows: list[Row], parse: Callable[[Row], object], source: str) -> list[object]:
    parsed, problems = [], []
    for row in rows:
        try:
            parsed.append(parse(row))
        except InvalidValue as error:
            problems.append(f"{row.where()}: {error.message}")
    if problems:
        raise ImportRejected(source, problems)
    return parsed


def _supplier(row: Row) -> Supplier:
    return SupplierRow.read(row).supplier()


def _item(row: Row) -> Item:
    return ItemRow.read(row).item()


def _stock(row: Row) -> tuple[str, Decimal]:
    read = StockRow.read(row)
    return read.sku, read.quantity


def _order_row(row: Row) -> tuple[Row, OrderDraft]:
    return row, OrderRow.read(row).draft()


def _merged_charges(first: OrderDraft, more: OrderDraft) -> OrderCharges:
    """The charges of an order grown by a row: its line's numbers follow the lines before it."""
    a, b, offset = first.charges, more.charges, len(first.lines)
    return OrderCharges(
        {**a.line_tax, **{n + offset: x for n, x in b.line_tax.items()}},
        {**a.line_discount, **{n + offset: x for n, x in b.line_discount.items()}},
        max(a.shipping, b.shipping),
        max(a.shipping_tax, b.shipping_tax),
    )


def _po_row(row: Row) -> tuple[Row, PurchaseOrder]:
    return row, PurchaseOrderRow.read(row).purchase_order()


def group_orders(parsed: list[tuple[Row, OrderDraft]], source: str) -> list[OrderDraft]:
    """Rows with the same order_ref form one order; their order fields must agree."""
    grouped: dict[str, OrderDraft] = {}
    problems = []
    for row, draft in parsed:
        first = grouped.get(draft.order_ref)
        if first is None:
            grouped[draft.order_ref] = draft
            continue
        for name in (
            "customer",
            "email",
            "ordered_at",
            "priority",
            "ship_policy",
            "ship_to",
            "requested_date",
        ):
            mine, theirs = getattr(draft, name), getattr(first, name)
            if mine != theirs and (mine not in (None, "")):
                problems.append(
                    row.problem(
                        name, mine, f"differs from the first row of order {draft.order_ref} ({theirs})"
                    )
                )
        grouped[draft.order_ref] = OrderDraft(
            **{**first.__dict__, "lines": first.lines + draft.lines, "charges": _merged_charges(first, draft)}
        )
    if problems:
        raise ImportRejected(source, problems)
    return list(grouped.values())


def group_purchase_orders(parsed: list[tuple[Row, PurchaseOrder]], source: str) -> list[PurchaseOrder]:
    """Rows with the same po_ref form one purchase order from one supplier."""
    grouped: dict[str, PurchaseOrder] = {}
    problems = []
    for row, po in parsed:
        first = grouped.get(po.po_ref)
        if first is None:
            grouped[po.po_ref] = po
        elif first.supplier != po.supplier:
            problems.append(
                row.problem(
                    "supplier", po.supplier, f"differs from the first row of {po.po_ref} ({first.supplier})"
                )
            )
        else:
            first.lines.extend(po.lines)
    if problems:
        raise ImportRejected(source, problems)
    return list(grouped.values())


def _check_known(found: set[str], wanted: list[tuple[Row, str, str]], what: str, source: str) -> None:
    """Every (row, column, value) must be among `found`."""
    problems = [
        row.problem(column, value, f"unknown {what}") for row, column, value in wanted if value not in found
    ]
    if problems:
        raise ImportRejected(source, problems)


def _check_skus(uow: UnitOfWork, wanted: list[tuple[Row, str, str]], source: str) -> None:
    """Every (row, column, sku) must name a known item."""
    with uow:
        known = uow.catalogue.items({sku for _, _, sku in wanted})
    _check_known(set(known), wanted, "SKU", source)


def _located(error: DomainError, rows: list[Row], kind: ImportKind) -> str:
    """The error's message, naming the line, row and column it comes from when that can be found."""
    if isinstance(error, BomCycle):
        edges = set(zip(error.path, error.path[1:], strict=False))
        closing = [r for r in rows if (r["parent_sku"], r["component_sku"]) in edges]
        if closing:
            reason = f"closes a BOM cycle: {' -> '.join(error.path)}"
            return closing[-1].problem("component_sku", closing[-1]["component_sku"], reason)
        return error.message
    value: object
    if isinstance(error, DuplicateRef):
        column = "po_ref" if kind is ImportKind.PURCHASE_ORDERS else "order_ref"
        value, reason = error.ref, error.message.removeprefix(f"{error.ref!r} ")
    elif isinstance(error, UnknownReference) and error.field:
        column, value, reason = error.field, error.ref, f"unknown {error.kind}"
    elif isinstance(error, InvalidValue):
        column, value, reason = error.field, error.value, error.reason
    else:
        return error.message
    number = getattr(error, "row", None)
    for row in rows:
        if (row.number == number) if number is not None else (row[column] == str(value)):
            return row.problem(column, value, reason)
    return error.message


def import_csv(
    kind: ImportKind,
    stream: TextIO,
    *,
    source: str,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> ImportResult:
    """Check every row of the file, then write all of it in one transaction, or nothing."""
    required, optional = COLUMNS[kind]
    rows = read_rows(stream, source, required=required, optional=optional)
    try:
        return _import(kind, rows, source=source, uow=uow, clock=clock, policy=policy)
    except ImportRejected:
        raise
    except DomainError as error:
        raise ImportRejected(source, [_located(error, rows, kind)]) from error


def _present(rows: list[Row]) -> set[str]:
    return set(rows[0].cells) if rows else set()


def _import(
    kind: ImportKind,
    rows: list[Row],
    *,
    source: str,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> ImportResult:
    if kind is ImportKind.SUPPLIERS:
        suppliers = [s for s in _parse_each(rows, _supplier, source) if isinstance(s, Supplier)]
        changes = save_suppliers(suppliers, uow=uow, columns=_present(rows) - {"name"})
        return ImportResult(kind, len(rows), changes.written, summary=str(changes))
    if kind is ImportKind.ITEMS:
        items = [i for i in _parse_each(rows, _item, source) if isinstance(i, Item)]
        numbers = [r.number for r in rows]
        changes = save_items(items, uow=uow, rows=numbers, columns=_present(rows) - {"sku"})
        return ImportResult(kind, len(rows), changes.written, summary=str(changes))
    if kind is ImportKind.BOMS:
        return _import_boms(rows, source=source, uow=uow)
    if kind is ImportKind.OPTIONS:
        return _import_options(rows, source=source, uow=uow)
    if kind is ImportKind.STOCK:
        counted: list[tuple[str, Decimal]] = _parse_each(rows, _stock, source)  # type: ignore[assignment]
        _check_skus(uow, [(r, "sku", sku) for r, (sku, _) in zip(rows, counted, strict=True)], source)
        counts: dict[str, Decimal] = {}
        for sku, quantity in counted:
            counts[sku] = counts.get(sku, ZERO) + quantity
        changes_ = count_stock(counts, reason="stock import", uow=uow, clock=clock, policy=policy)
        return ImportResult(kind, len(rows), len(changes_))
    if kind is ImportKind.ORDERS:
        order_rows: list[tuple[Row, OrderDraft]] = _parse_each(rows, _order_row, source)  # type: ignore[assignment]
        _check_skus(uow, [(r, "sku", d.lines[0].sku) for r, d in order_rows], source)
        _check_choices(uow, order_rows, source)
        placed = place_orders(group_orders(order_rows, source), uow=uow, clock=clock)
        return ImportResult(kind, len(rows), sum(1 for p_ in placed if p_.created))
    po_rows: list[tuple[Row, PurchaseOrder]] = _parse_each(rows, _po_row, source)  # type: ignore[assignment]
    _check_skus(uow, [(r, "sku", po.lines[0].sku) for r, po in po_rows], source)
    with uow:
        suppliers_ = {s.name for s in uow.catalogue.suppliers()}
    _check_known(suppliers_, [(r, "supplier", po.supplier) for r, po in po_rows], "supplier", source)
    return ImportResult(kind, len(rows), add_purchase_orders(group_purchase_orders(po_rows, source), uow=uow))


def _import_boms(rows: list[Row], *, source: str, uow: UnitOfWork) -> ImportResult:
    """Each parent's rows replace its BOM; a component twice under one parent is refused, naming the row."""
    parsed: list[tuple[str, BomLine, Row]] = _parse_each(rows, bom_line, source)  # type: ignore[assignment]
    _check_skus(
        uow,
        [(r, "parent_sku", parent) for parent, _, r in parsed]
        + [(r, "component_sku", line.component_sku) for _, line, r in parsed],
        source,
    )
    boms: dict[str, list[BomLine]] = {}
    first: dict[tuple[str, str], Row] = {}
    problems = []
    for parent, line, row in parsed:
        seen = first.setdefault((parent, line.component_sku), row)
        if seen is not row:
            reason = f"appears twice in the BOM of {parent} (first on {seen.where()})"
            problems.append(row.problem("component_sku", line.component_sku, reason))
        boms.setdefault(parent, []).append(line)
    if problems:
        raise ImportRejected(source, problems)
    return ImportResult(ImportKind.BOMS, len(rows), save_boms(boms, uow=uow))


def _option_row(row: Row) -> tuple[str, OptionRow, Row]:
    read = OptionsRow.read(row)
    return read.parent_sku, read.option_row(), row


def _import_options(rows: list[Row], *, source: str, uow: UnitOfWork) -> ImportResult:
    """Each parent's rows replace its options; every SKU must be known, the parent a make item,
    and a replaced component part of the parent's BOM."""
    parsed: list[tuple[str, OptionRow, Row]] = _parse_each(rows, _option_row, source)  # type: ignore[assignment]
    named = [(r, "parent_sku", parent) for parent, _, r in parsed]
    for name in ("component_sku", "replaces_sku"):
        named += [(r, name, getattr(o, name)) for _, o, r in parsed if getattr(o, name)]
    _check_skus(uow, named, source)
    with uow:
        items = uow.catalogue.items({parent for parent, _, _ in parsed})
        boms = uow.catalogue.boms()
    problems = []
    for parent, option, row in parsed:
        if items[parent].procurement is not Procurement.MAKE:
            reason = f"is a {items[parent].procurement} item; only make items have options"
            problems.append(row.problem("parent_sku", parent, reason))
        elif option.replaces_sku and option.replaces_sku not in {
            line.component_sku for line in boms.components(parent)
        }:
            problems.append(
                row.problem("replaces_sku", option.replaces_sku, f"is not in the BOM of {parent}")
            )
    if problems:
        raise ImportRejected(source, problems)
    grouped: dict[str, list[OptionRow]] = {}
    for parent, option, _ in parsed:
        grouped.setdefault(parent, []).append(option)
    return ImportResult(ImportKind.OPTIONS, len(rows), save_options(grouped, uow=uow))


def _check_choices(uow: UnitOfWork, order_rows: list[tuple[Row, OrderDraft]], source: str) -> None:
    """Each row's choices must make a configuration of its item (`domain.options`), named by row."""
    with uow:
        options = uow.catalogue.options({d.lines[0].sku for _, d in order_rows})
    problems = []
    for row, draft in order_rows:
        line = draft.lines[0]
        try:
            if line.sku in options:
                options[line.sku].configuration(line.options)
            elif line.options:
                raise InvalidValue("options", row["options"], f"{line.sku} has no options")
        except InvalidValue as error:
            problems.append(row.problem("options", row["options"] or "", error.reason))
    if problems:
        raise ImportRejected(source, problems)


def iter_kinds() -> Iterator[str]:
    return (kind.value for kind in ImportKind)
