"""What a reschedule would do, before anyone is told: a dry run of the re-promise that writes nothing.

The preview runs the very code `purchasing.reschedule` runs (`purchasing.rescheduled`) in a
transaction it never commits, so the rules of re-promising and of new-date messages
(`domain.notices.later_than_told`) are read here, never written a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pegboard.domain.notices import later_than_told, usable_address
from pegboard.services.ports import UnitOfWork
from pegboard.services.purchasing import rescheduled


@dataclass(frozen=True)
class PromiseMove:
    """One order line whose promise would move, and whether its customer would be told."""

    order_ref: str
    line_no: int
    sku: str
    customer: str
    old_date: date | None
    new_date: date | None
    #: The customer would get a new-date message (only a later date, or none any more, is told).
    told: bool
    #: Where the message would go (None: the order has no usable address, the message is skipped).
    recipient: str | None


@dataclass(frozen=True)
class ReschedulePreview:
    """A reschedule's impact: the supply's old and new date and every promise that would move."""

    supply_ref: str
    old_date: date | None
    new_date: date
    moves: tuple[PromiseMove, ...]

    @property
    def order_refs(self) -> list[str]:
        """The orders whose promises would move, each once, in the order they move."""
        return list(dict.fromkeys(m.order_ref for m in self.moves))

    @property
    def customers_told(self) -> list[str]:
        """The customers who would be told of a new date, each once."""
        return list(dict.fromkeys(m.customer for m in self.moves if m.told))


def preview_reschedule(supply_ref: str, new_date: date, *, uow: UnitOfWork, today: date) -> ReschedulePreview:
    """Reschedule and re-promise inside a transaction that is rolled back: the impact, nothing written."""
    with uow:
        old, moved = rescheduled(supply_ref, new_date, uow=uow, today=today)
        states = {ref: uow.notices.order_state(ref) for ref in dict.fromkeys(m.order_ref for m in moved)}
        moves = []
        for m in moved:
            state = states[m.order_ref]
            assert state is not None
            line = state.line(m.line_no)
            told = line is not None and later_than_told(line, confirmed=state.confirmed)
            moves.append(
                PromiseMove(
                    m.order_ref,
                    m.line_no,
                    m.sku,
                    state.customer,
                    m.old_date,
                    m.new_date,
                    told,
                    usable_address(state.email) if told else None,
                )
            )
        # Leaving the block without commit rolls back the new date, its history and the promises.
    return ReschedulePreview(supply_ref, old, new_date, tuple(moves))
