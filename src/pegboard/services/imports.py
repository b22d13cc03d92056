"""CSV import, all-or-nothing: every row is checked first, and one bad row writes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TextIO

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import BadInput, DomainError, InvalidValue
from pegboard.domain.items import BomLine, Item, Procurement, Supplier
from pegboard.domain.quantities import ZERO
from pegboard.domain.sales import ShipPolicy
from pegboard.domain.supply import PurchaseOrder, PurchaseOrderLine
from pegboard.services import parsing as p
from pegboard.services.catalogue import save_boms, save_items, save_suppliers
from pegboard.services.orders import LineDraft, OrderDraft, place_orders
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.purchasing import add_purchase_orders
from pegboard.services.stock import count_stock

MAX_ERRORS = 20


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
        ("customer", "email", "ordered_at", "unit_price", "priority", "ship_policy", "ship_to"),
    ),
    ImportKind.PURCHASE_ORDERS: (
        ("po_ref", "supplier", "sku", "quantity"),
        ("expected_date", "unit_cost"),
    ),
}


class ImportRejected(BadInput):
    """The file has bad rows; nothing of it was written."""

    code = "import_rejected"

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS]
        more = f"\n... and {len(problems) - MAX_ERRORS} more" if len(problems) > MAX_ERRORS else ""
        super().__init__(f"{source}: nothing was imported.\n" + "\n".join(shown) + more)
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One data row; `number` counts data rows from 1 (the header is line 1 of the file)."""

    number: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def where(self) -> str:
        return f"line {self.number + 1}"


@dataclass
class ImportResult:
    kind: ImportKind
    rows: int
    written: int
    notes: list[str] = field(default_factory=list)


def read_rows(kind: ImportKind, stream: TextIO, source: str) -> list[Row]:
    """Read the CSV, checking its header: required columns present, no unknown ones."""
    required, optional = COLUMNS[kind]
    try:
        text = stream.read()
    except UnicodeDecodeError as error:
        raise ImportRejected(source, [f"the file is not UTF-8 text ({error.reason})"]) from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise ImportRejected(source, ["the file is empty: a header row is required"])
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    problems = [f"header: required column {c!r} is missing" for c in missing]
    problems += [f"header: unknown column {c!r} (expected {', '.join(required + optional)})" for c in unknown]
    if problems:
        raise ImportRejected(source, problems)
    reader.fieldnames = header
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if None in cells:
                raise ImportRejected(
                    source, [f"line {reader.line_num}: row {number} has more cells than the header"]
                )
            if all(not (v or "").strip() for v in cells.values()):
                continue
            rows.append(Row(number, {k: v for k, v in cells.items() if k is not None}))
    except csv.Error as error:
        raise ImportRejected(source, [f"line {reader.line_num}: malformed CSV ({error})"]) from None
    return rows


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
        name=p.text("name", row["name"], row=n),
        email=p.optional_text("email", row["email"], row=n),
        lead_time_days=p.whole_number("lead_time_days", row["lead_time_days"], row=n),
    )


def _item(row: Row) -> Item:
    n = row.number
    return Item(
        sku=p.text("sku", row["sku"], row=n, max_length=100),
        name=p.text("name", row["name"], row=n),
        procurement=p.choice("procurement", row["procurement"], Procurement, row=n),
        unit=p.optional_text("unit", row["unit"], row=n) or "pcs",
        price=p.money("price", row["price"], row=n),
        cost=p.money("cost", row["cost"], row=n),
        lead_time_days=p.whole_number("lead_time_days", row["lead_time_days"], row=n),
        supplier=p.optional_text("supplier", row["supplier"], row=n),
        safety_stock=p.optional_quantity("safety_stock", row["safety_stock"], row=n) or ZERO,
        reorder_point=p.optional_quantity("reorder_point", row["reorder_point"], row=n),
        reorder_qty=p.optional_quantity("reorder_qty", row["reorder_qty"], row=n, allow_zero=False),
        min_order_qty=p.optional_quantity("min_order_qty", row["min_order_qty"], row=n, allow_zero=False),
        order_multiple=p.optional_quantity("order_multiple", row["order_multiple"], row=n, allow_zero=False),
        release_date=p.a_date("release_date", row["release_date"], row=n),
    )


def _bom(row: Row) -> tuple[str, BomLine, int]:
    n = row.number
    parent = p.text("parent_sku", row["parent_sku"], row=n)
    component = p.text("component_sku", row["component_sku"], row=n)
    if parent == component:
        raise InvalidValue("component_sku", component, "is its own parent", row=n)
    return parent, BomLine(component, p.quantity("quantity", row["quantity"], row=n)), n


def _stock(row: Row) -> tuple[str, Decimal]:
    n = row.number
    return p.text("sku", row["sku"], row=n), p.quantity("quantity", row["quantity"], row=n, allow_zero=True)


def _order_row(row: Row) -> tuple[int, OrderDraft]:
    n = row.number
    draft = OrderDraft(
        order_ref=p.text("order_ref", row["order_ref"], row=n, max_length=100),
        customer=p.optional_text("customer", row["customer"], row=n) or "",
        email=p.optional_text("email", row["email"], row=n),
        ordered_at=p.a_datetime("ordered_at", row["ordered_at"], row=n),
        priority=p.whole_number("priority", row["priority"], row=n, minimum=-1000, maximum=1000) or 0,
        ship_policy=p.choice(
            "ship_policy", row["ship_policy"], ShipPolicy, row=n, default=ShipPolicy.PARTIAL
        ),
        ship_to=p.optional_text("ship_to", row["ship_to"], row=n),
        lines=(
            LineDraft(
                sku=p.text("sku", row["sku"], row=n),
                quantity=p.quantity("quantity", row["quantity"], row=n),
                unit_price=p.money("unit_price", row["unit_price"], row=n),
            ),
        ),
    )
    return n, draft


def _po_row(row: Row) -> tuple[int, PurchaseOrder]:
    n = row.number
    po = PurchaseOrder(
        po_ref=p.text("po_ref", row["po_ref"], row=n, max_length=100),
        supplier=p.text("supplier", row["supplier"], row=n),
        lines=[
            PurchaseOrderLine(
                sku=p.text("sku", row["sku"], row=n),
                quantity=p.quantity("quantity", row["quantity"], row=n),
                expected_date=p.a_date("expected_date", row["expected_date"], row=n),
                unit_cost=p.money("unit_cost", row["unit_cost"], row=n),
            )
        ],
    )
    return n, po


def group_orders(parsed: list[tuple[int, OrderDraft]], source: str) -> list[OrderDraft]:
    """Rows with the same order_ref form one order; their order fields must agree."""
    grouped: dict[str, OrderDraft] = {}
    problems = []
    for n, draft in parsed:
        first = grouped.get(draft.order_ref)
        if first is None:
            grouped[draft.order_ref] = draft
            continue
        for name in ("customer", "email", "ordered_at", "priority", "ship_policy", "ship_to"):
            mine, theirs = getattr(draft, name), getattr(first, name)
            if mine != theirs and (mine not in (None, "")):
                problems.append(
                    f"line {n + 1}: row {n}, field {name!r}, value {str(mine)!r}: "
                    f"differs from the first row of order {draft.order_ref} ({theirs})"
                )
        grouped[draft.order_ref] = OrderDraft(**{**first.__dict__, "lines": first.lines + draft.lines})
    if problems:
        raise ImportRejected(source, problems)
    return list(grouped.values())


def group_purchase_orders(parsed: list[tuple[int, PurchaseOrder]], source: str) -> list[PurchaseOrder]:
    """Rows with the same po_ref form one purchase order from one supplier."""
    grouped: dict[str, PurchaseOrder] = {}
    problems = []
    for n, po in parsed:
        first = grouped.get(po.po_ref)
        if first is None:
            grouped[po.po_ref] = po
        elif first.supplier != po.supplier:
            problems.append(
                f"line {n + 1}: row {n}, field 'supplier', value {po.supplier!r}: "
                f"differs from the first row of {po.po_ref} ({first.supplier})"
            )
        else:
            first.lines.extend(po.lines)
    if problems:
        raise ImportRejected(source, problems)
    return list(grouped.values())


def _check_skus(uow: UnitOfWork, rows: list[tuple[int, str, str]], source: str) -> None:
    """Every (row, column, sku) must name a known item."""
    with uow:
        known = uow.catalogue.items({sku for _, _, sku in rows})
    problems = [
        f"line {n + 1}: row {n}, field {column!r}, value {sku!r}: unknown SKU"
        for n, column, sku in rows
        if sku not in known
    ]
    if problems:
        raise ImportRejected(source, problems)


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
    rows = read_rows(kind, stream, source)
    try:
        return _import(kind, rows, source=source, uow=uow, clock=clock, policy=policy)
    except ImportRejected:
        raise
    except DomainError as error:
        raise ImportRejected(source, [error.message]) from error


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
        return ImportResult(kind, len(rows), save_suppliers(suppliers, uow=uow))
    if kind is ImportKind.ITEMS:
        items = [i for i in _parse_each(rows, _item, source) if isinstance(i, Item)]
        return ImportResult(kind, len(rows), save_items(items, uow=uow, rows=[r.number for r in rows]))
    if kind is ImportKind.BOMS:
        parsed: list[tuple[str, BomLine, int]] = _parse_each(rows, _bom, source)  # type: ignore[assignment]
        _check_skus(
            uow,
            [(n, "parent_sku", parent) for parent, _, n in parsed]
            + [(n, "component_sku", line.component_sku) for _, line, n in parsed],
            source,
        )
        boms: dict[str, list[BomLine]] = {}
        for parent, line, _ in parsed:
            boms.setdefault(parent, []).append(line)
        return ImportResult(kind, len(rows), save_boms(boms, uow=uow))
    if kind is ImportKind.STOCK:
        counted: list[tuple[str, Decimal]] = _parse_each(rows, _stock, source)  # type: ignore[assignment]
        _check_skus(uow, [(r.number, "sku", sku) for r, (sku, _) in zip(rows, counted, strict=True)], source)
        counts: dict[str, Decimal] = {}
        for sku, quantity in counted:
            counts[sku] = counts.get(sku, ZERO) + quantity
        changes = count_stock(counts, reason="stock import", uow=uow, clock=clock, policy=policy)
        return ImportResult(kind, len(rows), len(changes))
    if kind is ImportKind.ORDERS:
        order_rows: list[tuple[int, OrderDraft]] = _parse_each(rows, _order_row, source)  # type: ignore[assignment]
        _check_skus(uow, [(n, "sku", d.lines[0].sku) for n, d in order_rows], source)
        placed = place_orders(group_orders(order_rows, source), uow=uow, clock=clock)
        return ImportResult(kind, len(rows), sum(1 for p_ in placed if p_.created))
    po_rows: list[tuple[int, PurchaseOrder]] = _parse_each(rows, _po_row, source)  # type: ignore[assignment]
    _check_skus(uow, [(n, "sku", po.lines[0].sku) for n, po in po_rows], source)
    return ImportResult(kind, len(rows), add_purchase_orders(group_purchase_orders(po_rows, source), uow=uow))


def iter_kinds() -> Iterator[str]:
    return (kind.value for kind in ImportKind)
