"""Turning the plan's suggestions into real orders: per SKU, or per supplier with edited quantities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from pegboard.domain.errors import InvalidValue, UnknownSku
from pegboard.domain.quantities import Quantity
from pegboard.planning.engine import plan
from pegboard.planning.result import PurchaseSuggestion
from pegboard.services.planning import (
    NothingSuggested,
    PlanRun,
    Selector,
    create_suggested,
    keep_plan,
    run_plan,
)
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.reserving import all_components


def make_what_you_can(sku: str, *, uow: UnitOfWork, clock: Clock) -> PlanRun:
    """Confirm the plan's suggested MOs for `sku` (the plan already dates them by their materials)."""
    return run_plan(uow=uow, clock=clock, confirm=True, only=Selector(sku=sku))


def buy_what_is_missing(sku: str, *, uow: UnitOfWork, clock: Clock) -> PlanRun:
    """Confirm the plan's suggested purchases of `sku` and of every component below it."""
    with uow:
        boms = uow.catalogue.boms()
        if uow.catalogue.item(sku) is None:
            raise UnknownSku(sku, field="sku")
    wanted = frozenset({sku} | all_components(boms, sku))
    return run_plan(uow=uow, clock=clock, confirm=True, only=Selector(bought=wanted))


def order_suggested(
    quantities: Mapping[tuple[str, str], Decimal], *, uow: UnitOfWork, clock: Clock
) -> list[str]:
    """Create one PO per supplier from the plan's suggestions, with the quantities edited per
    (supplier, SKU); a quantity of 0 leaves the line out. Returns the refs created.

    Only what the plan suggests may be ordered this way, at its expected date; a negative
    quantity, or a pair the plan does not suggest, is refused and nothing is written.
    """
    for (supplier, sku), quantity in quantities.items():
        if quantity < 0:
            raise InvalidValue(f"quantity {supplier} {sku}", quantity, "enter a quantity of 0 or more")
    with uow:
        today = clock.today()
        seen = uow.plans.inputs_seen()
        result = plan(uow.planning.snapshot(today))
        suggested: dict[tuple[str, str], PurchaseSuggestion] = {}
        for s in result.purchase_suggestions:
            if s.supplier is None:
                continue
            first = suggested.get((s.supplier, s.sku))
            if first is None or (s.expected_date or today) < (first.expected_date or today):
                suggested[(s.supplier, s.sku)] = s
        lines = []
        for key, quantity in quantities.items():
            if key not in suggested:
                raise InvalidValue(
                    f"quantity {key[0]} {key[1]}", quantity, "the plan suggests no such purchase"
                )
            if quantity > 0:
                lines.append(suggested[key]._replace(quantity=Quantity(quantity)))
        if not lines:
            raise NothingSuggested("every quantity is 0: nothing to order")
        created, _ = create_suggested(
            replace(result, purchase_suggestions=lines, production_suggestions=[]), uow=uow, today=today
        )
        keep_plan(uow=uow, today=today, inputs_seen=seen)
        uow.commit()
    return created


def confirm_planned_mo(ref: str, sku: str, *, uow: UnitOfWork, clock: Clock) -> list[str]:
    """Open the MO the plan suggests as `ref` (PLANNED-n); refused when the plan now names
    another SKU by that ref, since the page that showed it was out of date."""
    with uow:
        today = clock.today()
        seen = uow.plans.inputs_seen()
        result = plan(uow.planning.snapshot(today))
        picked = [s for s in result.production_suggestions if s.ref == ref and s.sku == sku]
        if not picked:
            raise NothingSuggested(f"the plan no longer suggests {ref} for {sku}; run the plan again")
        created, _ = create_suggested(
            replace(result, purchase_suggestions=[], production_suggestions=picked), uow=uow, today=today
        )
        keep_plan(uow=uow, today=today, inputs_seen=seen)
        uow.commit()
    return created
