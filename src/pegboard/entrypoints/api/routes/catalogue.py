"""The catalogue: suppliers, items and bills of materials; POST creates (201) or replaces (200)."""

from __future__ import annotations

from fastapi.responses import Response

from pegboard.domain.errors import UnknownSku
from pegboard.entrypoints import render
from pegboard.entrypoints.api.deps import Outcome, ReaderDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import (
    BomIn,
    BomOut,
    ItemIn,
    ItemOptionsOut,
    ItemOut,
    OptionsIn,
    SupplierIn,
    SupplierOut,
)
from pegboard.services import catalogue
from pegboard.services.ports import UnitOfWork
from pegboard.views.options import options_json

router = api_router("catalogue")


@router.post(
    "/suppliers",
    status_code=201,
    response_model=SupplierOut,
    responses={200: {"model": SupplierOut, "description": "A supplier with this name was replaced"}},
)
def save_supplier(body: SupplierIn, write: WriteDep) -> Response:
    """Create a supplier (201) or replace the one with this name (200)."""
    supplier = body.to_supplier()

    def work(uow: UnitOfWork) -> Outcome:
        with uow:
            existed = uow.catalogue.supplier(supplier.name) is not None
        catalogue.save_suppliers([supplier], uow=uow)
        return Outcome(200 if existed else 201, render.supplier(supplier))

    return write.run(work)


@router.get("/suppliers", response_model=list[SupplierOut])
def list_suppliers(uow: ReaderDep) -> Response:
    """Every supplier, by name."""
    found = sorted(uow.catalogue.suppliers(), key=lambda s: s.name)
    return json_response([render.supplier(s) for s in found])


@router.post(
    "/items",
    status_code=201,
    response_model=ItemOut,
    responses={200: {"model": ItemOut, "description": "An item with this SKU was replaced"}},
)
def save_item(body: ItemIn, write: WriteDep) -> Response:
    """Create an item (201) or replace the one with this SKU (200); a named supplier must exist."""
    item = body.to_item()

    def work(uow: UnitOfWork) -> Outcome:
        with uow:
            existed = uow.catalogue.item(item.sku) is not None
        catalogue.save_items([item], uow=uow)
        return Outcome(200 if existed else 201, render.item(item))

    return write.run(work)


@router.get("/items", response_model=list[ItemOut])
def list_items(uow: ReaderDep) -> Response:
    """Every item, by SKU."""
    found = uow.catalogue.items()
    return json_response([render.item(found[sku]) for sku in sorted(found)])


@router.get("/items/{sku}", response_model=ItemOut)
def get_item(sku: str, uow: ReaderDep) -> Response:
    """One item; 404 when no item carries the SKU."""
    found = uow.catalogue.item(sku)
    if found is None:
        raise UnknownSku(sku, field="sku")
    return json_response(render.item(found))


@router.post(
    "/boms",
    status_code=201,
    response_model=BomOut,
    responses={200: {"model": BomOut, "description": "The item's BOM was replaced"}},
)
def save_bom(body: BomIn, write: WriteDep) -> Response:
    """Create (201) or replace (200) a make item's BOM; a cycle is refused and named."""
    lines = body.to_lines()

    def work(uow: UnitOfWork) -> Outcome:
        with uow:
            existed = bool(uow.catalogue.boms().components(body.parent_sku))
        catalogue.save_boms({body.parent_sku: lines}, uow=uow)
        return Outcome(200 if existed else 201, render.bom(body.parent_sku, lines))

    return write.run(work)


@router.get("/boms", response_model=list[BomOut])
def list_boms(uow: ReaderDep) -> Response:
    """Every BOM, by parent SKU."""
    boms = uow.catalogue.boms()
    return json_response([render.bom(parent, boms.components(parent)) for parent in sorted(boms.lines)])


@router.get("/boms/{parent_sku}", response_model=BomOut)
def get_bom(parent_sku: str, uow: ReaderDep) -> Response:
    """One item's direct components (none for a bought item); 404 for an unknown SKU."""
    if uow.catalogue.item(parent_sku) is None:
        raise UnknownSku(parent_sku, field="parent_sku")
    return json_response(render.bom(parent_sku, uow.catalogue.boms().components(parent_sku)))


@router.get("/items/{sku}/options", response_model=ItemOptionsOut)
def get_options(sku: str, uow: ReaderDep) -> Response:
    """An item's options: each with `required`, its `default` and its values' BOM changes."""
    if uow.catalogue.item(sku) is None:
        raise UnknownSku(sku, field="sku")
    return json_response(options_json(sku, uow.catalogue.options([sku]).get(sku)))


@router.put("/items/{sku}/options", response_model=ItemOptionsOut)
def put_options(sku: str, body: OptionsIn, write: WriteDep) -> Response:
    """Replace a make item's options (an empty list removes them); bad rows are named, nothing written."""
    rows = body.to_rows()

    def work(uow: UnitOfWork) -> Outcome:
        catalogue.save_options({sku: rows}, uow=uow)
        with uow:
            return Outcome(200, options_json(sku, uow.catalogue.options([sku]).get(sku)))

    return write.run(work)
