"""Messages to customers: what was sent (the once-a-day rule reads it) and the mailer."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from pegboard.domain.notices import CustomerMessage, OrderState


class NoticeRepository(Protocol):
    """Messages sent to customers, and what each line's customer was last told."""

    def order_state(self, order_ref: str, *, lock: bool = False) -> OrderState | None: ...

    def sent_for_event(self, event_id: str) -> bool: ...

    def record(
        self,
        order_ref: str,
        *,
        kind: str,
        sent_on: date,
        recipient: str | None,
        subject: str,
        event_id: str | None,
        status: str,
    ) -> None: ...

    def mark_told(self, order_ref: str, told: dict[int, date | None], *, on: date) -> None: ...

    def awaiting_new_date(self, day: date) -> list[str]: ...


class Mailer(Protocol):
    """Sends one message to a customer; raises when the mail server does not accept it."""

    def send(self, message: CustomerMessage) -> None: ...
