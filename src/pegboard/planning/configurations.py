"""Configured products in planning: each configuration of an item is its own planning item.

A configured line (`BackorderDemand.options`) and an MO making a configuration
(`OpenManufacturingOrder.options`) are planned on an item of their own, named
`configured_sku(sku, options)`, with the configuration's BOM (`PlanInput.configurations`,
worked out by the caller) and as its only stock what is kept for that configuration
(`PlanInput.configured_stock`): a configured line never takes plain stock or stock of another
configuration, and only lines of the same configuration share its MOs and its kept stock.
The engine sees plain items; its promises name the real SKU again, while production
suggestions and the queue keep the configured name, which `split_sku` takes apart (the plan
JSON shows `sku` and `options`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from pegboard.planning.promise_table import PromiseTable
from pegboard.planning.result import PlanResult, Promise
from pegboard.planning.snapshot import (
    PlanBomLine,
    PlanConfiguration,
    PlanInput,
    PlanInputError,
    PlanItem,
    configured_demands,
)

__all__ = ["PlanConfiguration", "configure", "configured_sku", "split_sku", "unconfigure"]


def configured_sku(sku: str, options: str) -> str:
    """The planning item of a configuration: `SABER [HILT=engraved]` ("" = the plain item)."""
    return f"{sku} [{options}]" if options else sku


def split_sku(planned_sku: str) -> tuple[str, str]:
    """(sku, options) of a planning item's name; a plain SKU has no options."""
    if planned_sku.endswith("]") and " [" in planned_sku:
        sku, _, options = planned_sku[:-1].rpartition(" [")
        return sku, options
    return planned_sku, ""


def configure(snapshot: PlanInput) -> tuple[PlanInput, dict[str, str]]:
    """The snapshot with a planning item per configuration in use, and {configured name: SKU}."""
    wanted = configured_demands(snapshot)
    wanted |= {(m.sku, m.options) for m in snapshot.manufacturing_orders if m.options}
    if not wanted:
        return snapshot, {}
    boms = {(c.sku, c.options): c.bom for c in snapshot.configurations}
    items = {item.sku: item for item in snapshot.items}
    new_items: list[PlanItem] = []
    new_lines: list[PlanBomLine] = []
    names: dict[str, str] = {}
    for sku, options in sorted(wanted):
        if (sku, options) not in boms or sku not in items:
            raise PlanInputError(f"no bill of materials for {sku} configured as {options}")
        name = configured_sku(sku, options)
        names[name] = sku
        new_items.append(_made_to_order(items[sku], name))
        new_lines += [PlanBomLine(name, component, quantity) for component, quantity in boms[sku, options]]
    affected = snapshot.affected
    if affected is not None:
        affected = affected | {name for name, sku in names.items() if sku in affected}
    configured = replace(
        snapshot,
        items=[*snapshot.items, *new_items],
        bom_lines=[*snapshot.bom_lines, *new_lines],
        demands=[
            replace(d, sku=configured_sku(d.sku, d.options)) if d.options else d for d in snapshot.demands
        ],
        manufacturing_orders=[
            replace(m, sku=configured_sku(m.sku, m.options)) if m.options else m
            for m in snapshot.manufacturing_orders
        ],
        affected=affected,
        available=_with_kept(snapshot, wanted),
    )
    return configured, names


def _with_kept(snapshot: PlanInput, wanted: set[tuple[str, str]]) -> dict[str, Decimal]:
    """Available stock, with each configuration's kept stock as its planning item's own."""
    available = dict(snapshot.available)
    for (sku, options), quantity in snapshot.configured_stock.items():
        if (sku, options) in wanted and quantity > 0:
            available[configured_sku(sku, options)] = quantity
    return available


def _made_to_order(item: PlanItem, name: str) -> PlanItem:
    """The item's production time and procurement; no stock rules (nothing is kept in stock)."""
    return PlanItem(name, item.procurement, item.lead_time_days, item.supplier, item.supplier_lead_time_days)


def unconfigure(result: PlanResult, names: Mapping[str, str]) -> PlanResult:
    """The promises name each line's real SKU again (the rest keeps the configured names)."""
    if not names:
        return result
    promises = result.promises
    if isinstance(promises, PromiseTable):
        promises = PromiseTable(
            refs=promises.refs,
            line_nos=promises.line_nos,
            skus=[names.get(sku, sku) for sku in promises.skus],
            line_ids=promises.line_ids,
            line=promises.line,
            quantity=promises.quantity,
            day=promises.day,
            wording=promises.wording,
            reasons=promises.reasons,
            bases=promises.bases,
            extra=[_real(p, names) for p in promises.extra],
            stated=None if promises.unadjusted else promises.stated,
        )
    else:
        promises = [_real(p, names) for p in promises]
    return replace(result, promises=promises)


def _real(promise: Promise, names: Mapping[str, str]) -> Promise:
    return promise._replace(sku=names.get(promise.sku, promise.sku))
