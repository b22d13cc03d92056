"""A Shopify order in Pegboard's words, the bookkeeping row it leaves, and what applying it did.

Shared by the delivery rules (`services/shopify.py`), the reconciliation of a placed order with
the shop's newest version (`shopify_reconciling.py`) and the group-commit lane
(`shopify_fast_lane.py`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pegboard.domain.errors import ActionRefused, UnknownReference
from pegboard.domain.sales import SalesOrder
from pegboard.services.orders import OrderDraft
from pegboard.services.ports import Clock, ShopifyOrderRecord, UnitOfWork
from pegboard.services.shop_payments import ShopMoney


class State(StrEnum):
    """Where a Shopify order stands in Pegboard."""

    PLACED = "placed"
    HELD = "held"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """What one delivery (or import, or retry) of a Shopify order did."""

    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    STALE = "stale"
    PLACED = "placed"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    HELD = "held"
    CANCELLED = "cancelled"


class UnknownShopifyOrder(UnknownReference):
    """No Shopify order with this id has reached Pegboard."""

    code = "unknown_shopify_order"
    kind = "Shopify order"


class NotHeld(ActionRefused):
    """The Shopify order is not on hold, so there is nothing to retry."""

    code = "not_held"


@dataclass(frozen=True)
class ShopOrder:
    """A Shopify order as the shop last described it, read into Pegboard's words.

    `draft` has one line per line item with a SKU and a quantity still ordered; `problems`
    names the line items that cannot become order lines (no SKU). `payload` is the order's
    JSON as received, kept for retries and for fulfilment (it maps line item ids to SKUs).
    """

    shopify_order_id: str
    draft: OrderDraft
    updated_at: datetime
    cancelled_at: datetime | None
    payload: str
    problems: tuple[str, ...] = ()
    #: What the shop says was paid and paid back (None: its financial status tells nothing).
    money: ShopMoney | None = None

    @property
    def order_ref(self) -> str:
        return self.draft.order_ref


@dataclass(frozen=True)
class Applied:
    """The outcome of one delivery, with the Shopify order's state and problem afterwards."""

    outcome: Outcome
    order_ref: str | None = None
    problem: str | None = None


ReadOrder = Callable[[str], ShopOrder]


Result = tuple[State, str | None, Outcome]


def as_record(
    order: ShopOrder, state: State, clock: Clock, *, problem: str | None = None
) -> ShopifyOrderRecord:
    """The bookkeeping of this version of the order, in this state."""
    return ShopifyOrderRecord(
        shopify_order_id=order.shopify_order_id,
        order_ref=order.order_ref,
        state=state,
        problem=problem,
        shop_updated_at=order.updated_at,
        financial_status=order.draft.financial_status,
        payload=order.payload,
        received_at=clock.now(),
    )


def held(problems: Sequence[str]) -> Result:
    """Held, with every problem named."""
    return State.HELD, "; ".join(problems), Outcome.HELD


def unknown_skus(skus: Iterable[str], uow: UnitOfWork) -> list[str]:
    """A problem naming every SKU Pegboard does not know, if any."""
    wanted = set(skus)
    missing = sorted(wanted - uow.catalogue.items(wanted).keys())
    return [f"unknown SKU {', '.join(missing)}"] if missing else []


def record_details(existing: SalesOrder, draft: OrderDraft, uow: UnitOfWork) -> None:
    """Keep the shop's payment state on the sales order (a paid, unshipped order is a deposit)."""
    if existing.financial_status != draft.financial_status:
        uow.shopify.set_financial_status(existing.order_ref, draft.financial_status)
        existing.financial_status = draft.financial_status


# --- text no database can store ------------------------------------------------------------------

#: Control characters (NUL first: PostgreSQL text cannot hold it; tab and line breaks are text)
#: and lone surrogates (no UTF-8 for them).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def screened(order: ShopOrder) -> ShopOrder:
    """The order unchanged when its text can be stored; else held: each such value named as a
    problem and stored with the bad characters replaced by U+FFFD, never dropped."""
    problems: list[str] = []

    def clean(field: str, value: str | None) -> str | None:
        if value is None or _UNSTORABLE.search(value) is None:
            return value
        problems.append(f"{field} {ascii(value)[:80]} holds a control character: correct it in the shop")
        return _UNSTORABLE.sub("\ufffd", value)

    draft = order.draft
    lines = tuple(dataclasses.replace(line, sku=clean("SKU", line.sku) or "") for line in draft.lines)
    cleaned = dataclasses.replace(
        draft,
        order_ref=clean("order name", draft.order_ref) or "",
        customer=clean("customer", draft.customer) or "",
        email=clean("email", draft.email),
        ship_to=clean("shipping address", draft.ship_to),
        financial_status=clean("financial_status", draft.financial_status),
        lines=lines,
    )
    shop_id = clean("order id", order.shopify_order_id) or ""
    if not problems:
        return order
    return dataclasses.replace(
        order,
        shopify_order_id=shop_id,
        draft=cleaned,
        payload=order.payload.encode("utf-8", "backslashreplace").decode("utf-8"),
        problems=(*order.problems, *problems),
    )
