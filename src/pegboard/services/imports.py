"""CSV import, all-or-nothing: every row is checked first, and one bad row writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TextIO

from pegboard.domain import limits
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import (
    BomCycle,
    DomainError,
    DuplicateRef,
    InvalidValue,
    UnknownReference,
)
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import parsing
from pegboard.services.catalogue import save_boms, save_items, save_suppliers
from pegboard.services.csv_reading import ImportRejected as ImportRejected
from pegboard.services.csv_reading import Row, read_rows
from pegboard.services.orders import LineDraft, OrderDraft, place_orders
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.purchasing import add_purchase_orders
from pegboard.services.stock import count_stock


class ImportKind(StrEnum):
    SUPPLIERS = "suppliers"
    ITEMS = "items"
    BOMS = "boms"
    STOCK = "stock"
    ORDERS = "orders"
    PURCHASE_ORDERS = "purchase-orders"


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
        ),
    ),
    ImportKind.PURCHASE_ORDERS: (
        ("po_ref", "supplier", "sku", "quantity"),
        ("expected_date", "unit_cost"),
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
    n = row.number
    return Supplier(
        name=parsing.text("name", row["name"], row=n, max_length=limits.SUPPLIER_NAME),
        email=parsing.email("email", row["email"], row=n),
        lead_time_days=parsing.whole_number("lead_time_days", row["lead_time_days"], row=n),
    )


def _item(row: Row) -> Item:
    n = row.number
    return Item(
        sku=parsing.text("sku", row["sku"], row=n, max_length=limits.SKU),
        name=parsing.text("name", row["name"], row=n, max_length=limits.ITEM_NAME),
        procurement=parsing.choice("procurement", row["procurement"], Procurement, row=n),
        unit=parsing.optional_text("unit", row["unit"], row=n, max_length=limits.UNIT) or "pcs",
        price=parsing.money("price", row["price"], row=n),
        cost=parsing.money("cost", row["cost"], row=n),
        lead_time_days=parsing.whole_number("lead_time_days", row["lead_time_days"], row=n),
        supplier=parsing.optional_text("supplier", row["supplier"], row=n, max_length=limits.SUPPLIER_NAME),
        safety_stock=parsing.optional_quantity("safety_stock", row["safety_stock"], row=n) or ZERO,
        reorder_point=parsing.optional_quantity("reorder_point", row["reorder_point"], row=n),
        reorder_qty=parsing.optional_quantity("reorder_qty", row["reorder_qty"], row=n, allow_zero=False),
        min_order_qty=parsing.optional_quantity(
            "min_order_qty", row["min_order_qty"], row=n, allow_zero=False
        ),
        order_multiple=parsing.optional_quantity(
            "order_multiple", row["order_multiple"], row=n, allow_zero=False
        ),
        release_date=parsing.a_date("release_date", row["release_date"], row=n),
    )


def _bom(row: Row) -> tuple[str, BomLine, Row]:
    n = row.number
    parent = parsing.text("parent_sku", row["parent_sku"], row=n, max_length=limits.SKU)
    component = parsing.text("component_sku", row["component_sku"], row=n, max_length=limits.SKU)
    if parent == component:
        raise InvalidValue("component_sku", component, "is its own parent", row=n)
    return parent, BomLine(component, parsing.quantity("quantity", row["quantity"], row=n)), row


def _stock(row: Row) -> tuple[str, Decimal]:
    n = row.number
    sku = parsing.text("sku", row["sku"], row=n, max_length=limits.SKU)
    return sku, parsing.quantity("quantity", row["quantity"], row=n, allow_zero=True)


def _order_row(row: Row) -> tuple[Row, OrderDraft]:
    n = row.number
    draft = OrderDraft(
        order_ref=parsing.text("order_ref", row["order_ref"], row=n, max_length=limits.ORDER_REF),
        customer=parsing.optional_text("customer", row["customer"], row=n, max_length=limits.CUSTOMER) or "",
        email=parsing.email("email", row["email"], row=n),
        ordered_at=parsing.a_datetime("ordered_at", row["ordered_at"], row=n),
        priority=parsing.whole_number("priority", row["priority"], row=n, minimum=-1000, maximum=1000) or 0,
        ship_policy=parsing.choice(
            "ship_policy", row["ship_policy"], ShipPolicy, row=n, default=ShipPolicy.PARTIAL
        ),
        ship_to=parsing.optional_text(
            "ship_to", row["ship_to"], row=n, max_length=limits.SHIP_TO, multiline=True
        ),
        requested_date=parsing.a_date("requested_date", row["requested_date"], row=n),
        lines=(
            LineDraft(
                sku=parsing.text("sku", row["sku"], row=n, max_length=limits.SKU),
                quantity=parsing.quantity("quantity", row["quantity"], row=n),
                unit_price=parsing.money("unit_price", row["unit_price"], row=n),
            ),
        ),
    )
    return row, draft


def _po_row(row: Row) -> tuple[Row, PurchaseOrder]:
    n = row.number
    po = PurchaseOrder(
        po_ref=parsing.text("po_ref", row["po_ref"], row=n, max_length=limits.PO_REF),
        supplier=parsing.text("supplier", row["supplier"], row=n, max_length=limits.SUPPLIER_NAME),
        lines=[
            PurchaseOrderLine(
                sku=parsing.text("sku", row["sku"], row=n, max_length=limits.SKU),
                quantity=parsing.quantity("quantity", row["quantity"], row=n),
                expected_date=parsing.a_date("expected_date", row["expected_date"], row=n),
                unit_cost=parsing.money("unit_cost", row["unit_cost"], row=n),
            )
        ],
    )
    return row, po


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
        grouped[draft.order_ref] = OrderDraft(**{**first.__dict__, "lines": first.lines + draft.lines})
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
    parsed: list[tuple[str, BomLine, Row]] = _parse_each(rows, _bom, source)  # type: ignore[assignment]
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


def iter_kinds() -> Iterator[str]:
    return (kind.value for kind in ImportKind)
