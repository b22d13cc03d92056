"""An item's options as people and machines read them: each option, whether it is required,
its default, and each value with the BOM changes it makes (`domain.options`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from pegboard.adapters.db import tables as t
from pegboard.domain.options import ItemOptions, OptionRow
from pegboard.domain.quantities import Quantity
from pegboard.planning.values import plain_number


@dataclass(frozen=True, slots=True)
class OptionChange:
    """One BOM change of a value: adds `component_sku` (instead of `replaces_sku`), or removes it."""

    component_sku: str | None
    quantity: Decimal | None
    replaces_sku: str | None

    @property
    def words(self) -> str:
        """The change in words: "adds 30 ENGRAVING", "replaces HILT by 1 HILT-ENGRAVED"."""
        amount = "" if self.quantity is None else f"{plain_number(self.quantity)} "
        if self.component_sku and self.replaces_sku:
            return f"replaces {self.replaces_sku} by {amount}{self.component_sku}"
        if self.component_sku:
            return f"adds {amount}{self.component_sku}"
        return f"removes {self.replaces_sku}"


@dataclass(frozen=True, slots=True)
class OptionValueView:
    value: str
    changes: tuple[OptionChange, ...]


@dataclass(frozen=True, slots=True)
class OptionView:
    """An option and its values; required when no value is its default."""

    option: str
    default: str | None
    values: tuple[OptionValueView, ...]

    @property
    def required(self) -> bool:
        return self.default is None


def option_views(options: ItemOptions | None) -> tuple[OptionView, ...]:
    """The item's options in the order they were given (none for an item without options)."""
    if options is None:
        return ()
    return tuple(
        OptionView(
            option,
            options.default(option),
            tuple(
                OptionValueView(
                    value,
                    tuple(
                        OptionChange(r.component_sku, r.quantity, r.replaces_sku)
                        for r in rows
                        if not r.changes_nothing
                    ),
                )
                for value, rows in values.items()
            ),
        )
        for option, values in options.values().items()
    )


def options_json(sku: str, options: ItemOptions | None) -> dict[str, Any]:
    """`GET /api/v1/items/{sku}/options`: each option with `required`, `default` and its values."""
    return {
        "sku": sku,
        "options": [
            {
                "option": view.option,
                "required": view.required,
                "default": view.default,
                "values": [
                    {
                        "value": value.value,
                        "changes": [
                            {
                                "component_sku": c.component_sku,
                                "quantity": None if c.quantity is None else plain_number(c.quantity),
                                "replaces_sku": c.replaces_sku,
                            }
                            for c in value.changes
                        ],
                    }
                    for value in view.values
                ],
            }
            for view in option_views(options)
        ],
    }


def item_options(conn: Connection, sku: str) -> ItemOptions | None:
    """The item's options as stored (None: it has none), for its page."""
    parent, component, replaced = (t.items.alias(name) for name in ("parent", "component", "replaced"))
    io = t.item_options.c
    rows = tuple(
        OptionRow(
            r.option, r.value, r.component, None if r.quantity is None else Quantity(r.quantity), r.replaced
        )
        for r in conn.execute(
            select(
                io.option,
                io.value,
                component.c.sku.label("component"),
                io.quantity,
                replaced.c.sku.label("replaced"),
            )
            .join(parent, parent.c.id == io.item_id)
            .outerjoin(component, component.c.id == io.component_id)
            .outerjoin(replaced, replaced.c.id == io.replaces_id)
            .where(parent.c.sku == sku)
            .order_by(io.row_no)
        )
    )
    return ItemOptions(sku, rows) if rows else None
