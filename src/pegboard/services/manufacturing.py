"""Manufacturing: open MOs (reserving their components), check materials through every BOM level,
complete (partially), consuming the reservation first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import InvalidValue, MissingMaterials, Shortage, UnknownSku
from pegboard.domain.items import Procurement
from pegboard.domain.ledger import MoveKind, StockMove
from pegboard.domain.options import choices_text
from pegboard.domain.quantities import Quantity, component_need
from pegboard.domain.supply import ManufacturingOrder
from pegboard.planning.engine import plan
from pegboard.planning.result import FeasibleDates
from pegboard.services import books
from pegboard.services.allocating import allocate_waiting
from pegboard.services.configured_stock import serve_configuration
from pegboard.services.lookup import existing_mo
from pegboard.services.planning import repromise
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.reserving import all_components, configured_boms, reserve_materials
from pegboard.services.valuation import move_stock


def open_manufacturing_order(
    sku: str,
    quantity: Quantity,
    *,
    uow: UnitOfWork,
    clock: Clock,
    options: Mapping[str, str] | None = None,
) -> ManufacturingOrder:
    """Open an MO for a make item (of one configuration, with `options`), starting today and
    finishing after its lead time."""
    with uow:
        item = uow.catalogue.item(sku)
        if item is None:
            raise UnknownSku(sku, field="sku")
        if item.procurement is not Procurement.MAKE:
            raise InvalidValue("sku", sku, f"is a {item.procurement} item, not a make item")
        if not uow.catalogue.boms().components(sku):
            raise InvalidValue("sku", sku, "has no bill of materials")
        configuration = ""
        if options:
            item_options = uow.catalogue.options([sku]).get(sku)
            if item_options is None:
                raise InvalidValue("options", choices_text(options), f"{sku} has no options")
            configuration = item_options.configuration(options)
        mo = ManufacturingOrder.planned(
            mo_ref=uow.supply.next_ref("MO"),
            sku=sku,
            quantity=quantity,
            start=clock.today(),
            lead_time_days=item.lead_time_days or 0,
            options=configuration,
        )
        uow.supply.add_manufacturing_order(mo)
        reserve_materials(uow, mo)
        uow.commit()
    return mo


def material_check(
    sku: str,
    quantity: Decimal,
    *,
    uow: UnitOfWork,
    options: str = "",
    reserved: Mapping[str, Decimal] | None = None,
) -> list[Shortage]:
    """Each component missing to make `quantity` of `sku` (of configuration `options`), through
    every BOM level; `reserved` (an MO's own reservation, `ManufacturingOrder.reserved`) is
    there for it on top of what is available."""
    with uow:
        boms = configured_boms(uow, sku, options)
        if uow.catalogue.item(sku) is None:
            raise UnknownSku(sku, field="sku")
        involved = all_components(boms, sku)
        stocks = uow.stock.lock(involved) if involved else {}
        own = reserved or {}
        return boms.shortages(sku, quantity, {s: st.available + own.get(s, 0) for s, st in stocks.items()})


def complete_manufacturing_order(
    mo_ref: str,
    quantity: Decimal | None = None,
    *,
    uow: UnitOfWork,
    clock: Clock,
    policy: AllocationPolicy,
) -> ManufacturingOrder:
    """Consume components and book the output; refused, with the shortages, when materials lack."""
    with uow:
        mo = existing_mo(uow, mo_ref)
        boms = configured_boms(uow, mo.sku, mo.options)
        components = boms.components(mo.sku)
        amount = mo.open_quantity if quantity is None else quantity
        stocks = uow.stock.lock({mo.sku} | all_components(boms, mo.sku))
        mo = existing_mo(uow, mo_ref, lock=True)
        # Its own reservation is there for it: available to it on top of what is free.
        available = {s: st.available + mo.reserved.get(s, Decimal(0)) for s, st in stocks.items()}
        shortages = boms.shortages(mo.sku, amount, available)
        used_reserved, freed = mo.use_reserved(amount, components)
        mo.complete(amount)
        if any(s.level == 1 for s in shortages):
            raise MissingMaterials(mo.sku, shortages)
        for sku, quantity in (used_reserved | freed).items():
            stocks[sku].release(quantity)
            uow.stock.reserve_for_mo(mo_ref, sku, -quantity)
        today = clock.today()
        consumed = Decimal(0)
        for c in components:
            used = component_need(c.quantity_per, amount)
            stocks[c.component_sku].move(-used)
            move = StockMove(c.component_sku, -used, MoveKind.CONSUMPTION, today, mo_ref)
            consumed -= move_stock(uow, move)
        stocks[mo.sku].move(amount)
        labour = books.labour(uow, mo.sku, amount)
        made = StockMove(mo.sku, amount, MoveKind.PRODUCTION, today, mo_ref)
        move_stock(uow, made, value=consumed + labour)
        books.book_labour(uow, mo_ref, mo.sku, amount, labour, on=today)
        uow.supply.save_manufacturing_order(mo)
        if mo.options:  # its output is of its configuration: for its lines only, the rest kept
            serve_configuration(uow, stocks[mo.sku], mo.options, amount, policy=policy)
        else:
            allocate_waiting(uow, {mo.sku: stocks[mo.sku]}, policy=policy)
        if freed:  # reserved beyond what it took (its BOM changed): for the lines and MOs waiting
            allocate_waiting(uow, {sku: stocks[sku] for sku in freed}, policy=policy)
        repromise([mo.sku, *freed], uow=uow, today=today)
        uow.commit()
    return mo


def feasible_dates(mos: Mapping[str, str], *, uow: UnitOfWork, today: date) -> dict[str, FeasibleDates]:
    """The dates their materials allow the open MOs `mos` (ref to SKU), by MO ref, inside the
    caller's open transaction; nothing is written.

    They are read from the stored plan, as the supply pages read its queue: out of date or not
    (the caller says so with `views.stored_plan.plan_state`). An MO the stored plan does not know
    (opened since), or every MO when no plan is stored, is dated now by `planned_feasible_dates`.
    """
    stored, now = feasible_dates_by_source(mos, uow=uow, today=today)
    return stored | now


def feasible_dates_by_source(
    mos: Mapping[str, str], *, uow: UnitOfWork, today: date
) -> tuple[dict[str, FeasibleDates], dict[str, FeasibleDates]]:
    """`feasible_dates` in two parts: those the stored plan kept, and those dated now (MOs it does
    not know, or every MO when no plan is stored), so a caller can say how old each date is."""
    stored = uow.plans.feasible_mos(mos.keys())
    found = {} if stored is None else stored
    unknown = {ref: sku for ref, sku in mos.items() if ref not in found}
    now: dict[str, FeasibleDates] = {}
    if unknown:
        now = {
            ref: dates
            for ref, dates in planned_feasible_dates(unknown.values(), uow=uow, today=today).items()
            if ref in unknown
        }
    return found, now


def planned_feasible_dates(skus: Iterable[str], *, uow: UnitOfWork, today: date) -> dict[str, FeasibleDates]:
    """The dates their materials allow the open MOs of these SKUs, by MO ref, planned now. Only
    what those MOs rest on is planned: the supply below their SKUs and every demand on it
    (`planning.scope.narrowed_for_new_lines`), which dates them exactly (MOs of other SKUs in that
    snapshot may not be, and are not asked for)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    result = plan(uow.planning.snapshot(today, around=wanted, lines_of_around=True))
    asked = set(wanted)
    return {found.ref: found for found in result.feasible_mos if found.sku in asked}
