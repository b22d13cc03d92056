"""The customer's order-status page, `GET /status/{token}`: no login, one order, never cached or indexed.

The token is the only key: an unknown, revoked or malformed one gets the same plain 404 page,
which says nothing about which orders exist.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.api.deps import PegboardDep
from pegboard.services.status_links import order_ref_for_link
from pegboard.views.status import OrderOverview, order_status
from pegboard.views.wording import long_date, quantity_words, ready_words, status_words

#: The page is private to whoever holds the link: not stored, not passed on, not indexed; and it
#: loads nothing but its own inline style.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}

#: Tokens are 43 characters; anything much longer is not worth a database lookup.
MAX_TOKEN_LENGTH = 200


def templates() -> Environment:
    """The page templates shipped with the package, HTML-escaped and strict about missing values."""
    env = Environment(
        loader=PackageLoader("pegboard.entrypoints.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(long_date=long_date, quantity=quantity_words, status_words=status_words)
    return env


def read_status(pb: Pegboard, token: str) -> OrderOverview | None:
    """The order a live token opens, as its customer sees it; None for any other token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    with pb.reader() as uow:
        order_ref = order_ref_for_link(token, uow=uow)
        return None if order_ref is None else order_status(uow.connection, order_ref)


def render_status(page: Template, pb: Pegboard, order: OrderOverview | None) -> HTMLResponse:
    """The page for an order, or the plain 404 page; both private."""
    settings = pb.settings
    html = page.render(
        order=order,
        shop_name=settings.shop_name,
        reply_to=settings.reply_to,
        ready=None
        if order is None
        else ready_words(ship_policy=order.ship_policy, whole=order.whole, ships_on=order.ships_on),
    )
    return HTMLResponse(html, status_code=200 if order else 404, headers=PRIVATE_HEADERS)


def make_router() -> APIRouter:
    """The status-page route; templates are loaded once, when the app is built."""
    router = APIRouter(include_in_schema=False)
    page = templates().get_template("status.html")

    @router.get("/status/{token}", response_class=HTMLResponse)
    def status_page(token: str, pb: PegboardDep) -> HTMLResponse:
        """One order's lines, shipments and expected dates, for whoever holds its link."""
        return render_status(page, pb, read_status(pb, token))

    return router
