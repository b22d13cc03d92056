"""The context of a purchase order's page: the PO, its forms, and a reschedule preview when asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pegboard.services.rescheduling import ReschedulePreview
from pegboard.services.users import Action
from pegboard.views.purchasing import PoDetail


@dataclass(frozen=True)
class PoPage:
    """The /purchase-orders/{ref} page: the PO, and the Receive and Reschedule forms."""

    #: The business date: dates in words, late lines.
    today: date
    #: The purchase order with its lines, receipts and reschedules.
    po: PoDetail
    #: Show the Receive and Reschedule forms (operators and admins, on an open PO).
    can_write: bool
    #: Values typed into the forms, by field name (kept after a refusal or a preview).
    values: dict[str, str]
    #: What the reschedule typed would do, shown before it is saved (None: not asked).
    preview: ReschedulePreview | None = None
    #: What people did to it through the web app, newest first.
    history: tuple[Action, ...] = ()
