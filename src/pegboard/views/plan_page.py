"""The plan as the plan page shows it: each promise, suggestions per supplier, MOs to open, the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from pegboard.planning.configurations import split_sku
from pegboard.planning.result import PlanResult
from pegboard.views.production import QueueRow, item_names, production_queue
from pegboard.views.purchasing import SupplierSuggestions, suggestions_by_supplier
from pegboard.views.sql import dates_in_words
from pegboard.views.stored_plan import PLANNED_NOW, PlanState


@dataclass(frozen=True)
class PromiseRow:
    """Part of a waiting line and when it is expected to ship (None: open term), with why."""

    order_ref: str
    line_no: int
    sku: str
    quantity: Decimal
    date: date | None
    reason: str
    basis: str


@dataclass(frozen=True)
class MakeSuggestion:
    """An MO the plan suggests opening."""

    ref: str
    sku: str
    name: str
    quantity: Decimal
    start_date: date | None
    finish_date: date | None


@dataclass(frozen=True)
class PlanView:
    """A plan run, ready to show: promises, purchases per supplier, MOs to open, the queue."""

    promises: tuple[PromiseRow, ...]
    purchases: tuple[SupplierSuggestions, ...]
    making: tuple[MakeSuggestion, ...]
    queue: tuple[QueueRow, ...]

    @property
    def has_suggestions(self) -> bool:
        """Something to confirm: a purchase or an MO."""
        return bool(self.purchases or self.making)


def plan_view(conn: Connection, result: PlanResult, *, today: date, promise_limit: int = 500) -> PlanView:
    """The plan's parts with item names; at most `promise_limit` promises, the earliest orders first."""
    names = item_names(conn, {split_sku(s.sku)[0] for s in result.production_suggestions})
    promises = tuple(
        PromiseRow(
            p.order_ref, p.line_no, p.sku, p.quantity, p.date, dates_in_words(p.reason, today), p.basis
        )
        for _, p in zip(range(promise_limit), result.promises, strict=False)
    )
    return PlanView(
        promises=promises,
        purchases=tuple(suggestions_by_supplier(conn, result)),
        making=tuple(
            MakeSuggestion(
                s.ref, s.sku, names.get(split_sku(s.sku)[0], s.sku), s.quantity, s.start_date, s.finish_date
            )
            for s in result.production_suggestions
        ),
        queue=tuple(production_queue(conn, result)),
    )


@dataclass(frozen=True)
class PlanPage:
    """The /plan page: the stored plan, and whether the user may run and confirm it."""

    #: The business date: dates in words.
    today: date
    #: The stored plan (or, before any plan run, one planned for the page).
    plan: PlanView
    #: Show Run plan and Confirm suggestions (operators and admins).
    can_write: bool
    #: Where the plan shown comes from: the stored plan (out of date or not), or planned now.
    plan_state: PlanState = PLANNED_NOW
