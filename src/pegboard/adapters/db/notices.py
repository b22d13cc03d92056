"""Customer notices in SQL: the messages sent, and what each line's customer was last told."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from pegboard.adapters.db import tables as t
from pegboard.domain.errors import UnknownOrder
from pegboard.domain.notices import LineState, NoticeKind, OrderState
from pegboard.domain.options import parse_choices
from pegboard.domain.sales import LineKind, ShipPolicy

_so, _ol, _lp, _cn, _items = t.sales_orders, t.order_lines, t.line_promises, t.customer_notices, t.items

_LINES = (
    select(
        _ol.c.id,
        _ol.c.line_no,
        _ol.c.kind,
        _ol.c.quantity,
        _ol.c.allocated,
        _ol.c.shipped,
        _ol.c.cancelled,
        _ol.c.unit_price,
        _ol.c.options,
        _items.c.sku,
        _items.c.name,
        _items.c.release_date,
        _lp.c.line_id.label("promise_line"),
        _lp.c.promised_date,
        _lp.c.told_date,
        _lp.c.told_on,
    )
    .join(_items, _items.c.id == _ol.c.item_id)
    .outerjoin(_lp, _lp.c.line_id == _ol.c.id)
    .where(_ol.c.order_id == bindparam("order_id"))
    .order_by(_ol.c.line_no)
)


def _with_choices(name: str, options: str) -> str:
    """A configured line's item name with its choices, as every message lists it:
    "Blue lightsaber (HILT: engraved)"."""
    if not options:
        return name
    return f"{name} ({', '.join(f'{o}: {v}' for o, v in parse_choices(options).items())})"


_MARK_TOLD = (
    update(_lp)
    .where(
        _lp.c.line_id
        == select(_ol.c.id)
        .where(_ol.c.order_id == bindparam("b_order_id"), _ol.c.line_no == bindparam("b_line_no"))
        .scalar_subquery()
    )
    .values(told_date=bindparam("b_told_date"), told_on=bindparam("b_told_on"))
)


def _awaiting_new_date(day: date) -> Select[Any]:
    """Orders with a waiting line promised later than told, and no new-date message on `day`.

    The same rule as `domain.notices.later_than_told`, as SQL, so a pass finds them in one query.
    """
    waiting = _ol.c.quantity > _ol.c.allocated + _ol.c.shipped + _ol.c.cancelled
    confirmed = exists().where(_cn.c.order_id == _so.c.id, _cn.c.kind == NoticeKind.CONFIRMATION.value)
    told_a_date_now_later = and_(
        _lp.c.told_date.is_not(None),
        or_(_lp.c.promised_date.is_(None), _lp.c.promised_date > _lp.c.told_date),
    )
    told_to_follow_now_dated = and_(
        _lp.c.told_date.is_(None),
        _lp.c.promised_date.is_not(None),
        or_(_lp.c.told_on.is_not(None), confirmed),
    )
    told_today = exists().where(
        _cn.c.order_id == _so.c.id, _cn.c.kind == NoticeKind.NEW_DATE.value, _cn.c.sent_on == day
    )
    return (
        select(_so.c.order_ref)
        .select_from(_lp)
        .join(_ol, _ol.c.id == _lp.c.line_id)
        .join(_so, _so.c.id == _ol.c.order_id)
        .where(waiting, or_(told_a_date_now_later, told_to_follow_now_dated), ~told_today)
        .group_by(_so.c.id, _so.c.order_ref)
        .order_by(_so.c.id)
    )


class SqlNotices:
    """Customer notices and told dates, read and written in the unit of work's transaction."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.order_ids: dict[str, int] = {}

    def _order_id(self, order_ref: str) -> int:
        if order_ref not in self.order_ids:
            found = self.conn.execute(
                select(_so.c.id).where(_so.c.order_ref == order_ref)
            ).scalar_one_or_none()
            if found is None:
                raise UnknownOrder(order_ref, field="order_ref")
            self.order_ids[order_ref] = int(found)
        return self.order_ids[order_ref]

    def order_state(self, order_ref: str, *, lock: bool = False) -> OrderState | None:
        """The order, its lines with promises and told dates, and what was already sent about it.

        `lock` takes the order row's write lock first, so two deliverers never decide the same
        message at once (the second one waits, then sees the first one's record).
        """
        query = select(
            _so.c.id, _so.c.customer, _so.c.email, _so.c.financial_status, _so.c.ship_policy
        ).where(_so.c.order_ref == order_ref)
        order = self.conn.execute(query.with_for_update() if lock else query).first()
        if order is None:
            return None
        self.order_ids[order_ref] = order.id
        sent = self.conn.execute(
            select(_cn.c.kind, func.max(_cn.c.sent_on))
            .where(
                _cn.c.order_id == order.id,
                _cn.c.kind.in_([NoticeKind.CONFIRMATION.value, NoticeKind.NEW_DATE.value]),
            )
            .group_by(_cn.c.kind)
        )
        last: dict[str, date] = {row[0]: row[1] for row in sent}
        lines = tuple(
            LineState(
                line_no=r.line_no,
                sku=r.sku,
                name=_with_choices(r.name, r.options),
                kind=LineKind(r.kind),
                quantity=r.quantity,
                allocated=r.allocated,
                shipped=r.shipped,
                cancelled=r.cancelled,
                unit_price=r.unit_price,
                promised=r.promise_line is not None,
                promised_date=r.promised_date,
                told_on=r.told_on,
                told_date=r.told_date,
                release_date=r.release_date,
            )
            for r in self.conn.execute(_LINES, {"order_id": order.id})
        )
        return OrderState(
            order_ref=order_ref,
            customer=order.customer,
            email=order.email,
            financial_status=order.financial_status,
            lines=lines,
            ships_whole=order.ship_policy == ShipPolicy.COMPLETE.value,
            confirmed=NoticeKind.CONFIRMATION.value in last,
            last_new_date_on=last.get(NoticeKind.NEW_DATE.value),
        )

    def sent_for_event(self, event_id: str) -> bool:
        """Whether a message (sent or skipped) is already recorded for this event."""
        found = self.conn.execute(select(_cn.c.id).where(_cn.c.event_id == event_id).limit(1)).first()
        return found is not None

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
    ) -> None:
        """Keep a message in the order's history: sent, skipped (no address) or failed."""
        self.conn.execute(
            insert(_cn).values(
                order_id=self._order_id(order_ref),
                kind=kind,
                sent_on=sent_on,
                recipient=(recipient or "")[:320],
                subject=subject[:300],
                event_id=event_id,
                created_at=self.now,
                status=status,
            )
        )

    def mark_told(self, order_ref: str, told: dict[int, date | None], *, on: date) -> None:
        """Remember the date each line's customer was just told (None: a date will follow)."""
        if not told:
            return
        order_id = self._order_id(order_ref)
        self.conn.execute(
            _MARK_TOLD,
            [
                {"b_order_id": order_id, "b_line_no": line_no, "b_told_date": day, "b_told_on": on}
                for line_no, day in sorted(told.items())
            ],
        )

    def awaiting_new_date(self, day: date) -> list[str]:
        """Refs of orders owed a new-date message that none was sent for on `day`, oldest first."""
        return [str(ref) for ref in self.conn.execute(_awaiting_new_date(day)).scalars()]
