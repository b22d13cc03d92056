"""Components reserved for confirmed MOs, as a serious MRP reserves them.

When an MO is confirmed (opened by hand, or by confirming the plan's suggestions), what its open
quantity takes of each direct component is reserved from available stock, as far as there is
some; what is still missing is reserved as it becomes available (a receipt, a completed MO of a
sub-assembly, a cancelled line's stock, a count up, an ended hold). Reserved stock counts in the
item's allocated total, so no order, quote hold or other MO takes it; completing the MO consumes
it, and the plan sees it as pegged to that MO (it nets only the rest).

Who gets newly available stock, waiting order lines or waiting MOs: one ranking by the
allocation policy, in which a confirmed MO waits like an order of priority 0 placed the moment
it was confirmed (after the orders placed at that same moment). The plan counted the stock it
had and what was due for the demand before that moment, in that order, when it suggested the
MO; an order placed later was promised after the MO's needs. Under `complete-first` the orders
chosen to be made whole go first, then lines and MOs oldest first.

A count that finds less on hand than is reserved takes back configured stock, then holds, then
the newest MOs' reservations, then order lines (`services.stock.count`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from pegboard.domain.allocation import Grant, ItemStock, WaitingLine
from pegboard.domain.items import BillsOfMaterials, BomLine
from pegboard.domain.options import ItemOptions
from pegboard.domain.supply import ManufacturingOrder
from pegboard.services.ports import UnitOfWork


def configured_boms(uow: UnitOfWork, sku: str, options: str) -> BillsOfMaterials:
    """The BOMs with `sku`'s own replaced by that of its configuration `options` ("" = as it is)."""
    boms = uow.catalogue.boms()
    if not options:
        return boms
    item_options = uow.catalogue.options([sku]).get(sku, ItemOptions(sku, ()))
    return boms.with_lines(sku, item_options.bom(boms.components(sku), options))


def all_components(boms: BillsOfMaterials, sku: str) -> set[str]:
    """Every SKU below `sku` in its BOM, at any depth."""
    found: set[str] = set()
    todo = [sku]
    while todo:
        for line in boms.components(todo.pop()):
            if line.component_sku not in found:
                found.add(line.component_sku)
                todo.append(line.component_sku)
    return found


def direct_components(uow: UnitOfWork, mos: Sequence[ManufacturingOrder]) -> dict[str, list[BomLine]]:
    """Each MO's direct components (of its configuration), by MO ref; BOMs read once."""
    boms = uow.catalogue.boms({mo.sku for mo in mos})
    configured = [mo for mo in mos if mo.options]
    options = uow.catalogue.options({mo.sku for mo in configured}) if configured else {}
    found: dict[str, list[BomLine]] = {}
    for mo in mos:
        lines = boms.components(mo.sku)
        if mo.options:
            lines = options.get(mo.sku, ItemOptions(mo.sku, ())).bom(lines, mo.options)
        found[mo.mo_ref] = list(lines)
    return found


def reserve_materials(uow: UnitOfWork, mo: ManufacturingOrder) -> dict[str, Decimal]:
    """Reserve from available stock what a just-confirmed MO needs of its direct components, as
    far as there is some; returns what was reserved, by SKU."""
    return reserve_for_new_mos(uow, [mo])[mo.mo_ref]


def reserve_for_new_mos(uow: UnitOfWork, mos: Sequence[ManufacturingOrder]) -> dict[str, dict[str, Decimal]]:
    """Reserve for just-confirmed MOs, the earliest to start first, what each needs of its direct
    components from available stock, as far as there is some; an MO that got all of them is noted
    ready from today. Returns what each MO reserved, by MO ref and SKU (BOMs read and items locked
    once for all of them)."""
    components = direct_components(uow, mos)
    needs = {mo.mo_ref: mo.material_needs(components[mo.mo_ref]) for mo in mos}
    stocks = uow.stock.lock({sku for need in needs.values() for sku in need})
    reserved: dict[str, dict[str, Decimal]] = {}
    rows: list[tuple[str, str, Decimal]] = []
    complete: list[str] = []
    for mo in sorted(mos, key=lambda m: m.start_date):
        got = reserved[mo.mo_ref] = {}
        for sku, need in sorted(needs[mo.mo_ref].items()):
            granted = stocks[sku].reserve(need)
            if granted > 0:
                mo.reserve(sku, granted)
                rows.append((mo.mo_ref, sku, granted))
                got[sku] = granted
        if needs[mo.mo_ref] and got == needs[mo.mo_ref]:
            complete.append(mo.mo_ref)
    uow.stock.reserve_for_new_mos(rows)
    uow.supply.note_materials_complete(complete)
    return reserved


def waiting_materials(uow: UnitOfWork, skus: Iterable[str]) -> list[WaitingLine]:
    """Confirmed MOs that still need one of these SKUs beyond their reservation, as waiting lines
    (`WaitingLine.manufacturing`)."""
    wanted = set(skus)
    mos = uow.supply.open_manufacturing_orders_using(wanted)
    if not mos:
        return []
    components = direct_components(uow, mos)
    found: list[WaitingLine] = []
    for mo in mos:
        needs = mo.material_needs(components[mo.mo_ref])
        confirmed = mo.confirmed_at or datetime.min
        for sku in sorted(needs.keys() & wanted):
            found.append(WaitingLine(mo.mo_ref, 0, sku, needs[sku], 0, confirmed, 0, manufacturing=True))
    return found


def reserve_granted(uow: UnitOfWork, grants: Iterable[Grant], stocks: Mapping[str, ItemStock]) -> None:
    """Reserve what the allocation policy handed to waiting MOs; an MO that has all its components
    now is noted ready from today (`note_materials`)."""
    served: set[str] = set()
    for grant in grants:
        granted = stocks[grant.sku].reserve(grant.quantity)
        uow.stock.reserve_for_mo(grant.order_ref, grant.sku, granted)
        served.add(grant.order_ref)
    mos = [mo for ref in sorted(served) if (mo := uow.supply.manufacturing_order(ref)) is not None]
    components = direct_components(uow, mos) if mos else {}
    for mo in mos:
        if not mo.material_needs(components[mo.mo_ref]):
            uow.supply.note_materials(mo.mo_ref, complete=True)


def release_for_count(uow: UnitOfWork, stock: ItemStock) -> list[tuple[str, Decimal]]:
    """When a count leaves less on hand than is reserved, the newest MOs' reservations go (before
    order lines': the MO waits for the component again); returns what each MO let go."""
    surplus = stock.allocated - stock.on_hand
    released: list[tuple[str, Decimal]] = []
    if surplus <= 0:
        return released
    for mo_ref, quantity in uow.stock.mo_reservations_of(stock.sku):
        taken = min(surplus, quantity)
        uow.stock.reserve_for_mo(mo_ref, stock.sku, -taken)
        uow.supply.note_materials(mo_ref, complete=False)
        stock.release(taken)
        released.append((mo_ref, taken))
        surplus -= taken
        if surplus <= 0:
            break
    return released
