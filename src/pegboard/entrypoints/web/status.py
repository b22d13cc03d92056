"""The customer's order-status page, `GET /status/{token}`: no login, one order, never cached or indexed.

The token is the only key: an unknown, revoked or malformed one gets the same plain 404 page,
which says nothing about which orders exist. Whatever else goes wrong under `/status/` (a path
with no token, a busy database, an unexpected error) is answered by a page in the same private
style (`render_problem`), never by the API's JSON.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

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
        problem=None,
        shop_name=settings.shop_name,
        reply_to=settings.reply_to,
        ready=None
        if order is None
        else ready_words(ship_policy=order.ship_policy, whole=order.whole, ships_on=order.ships_on),
    )
    return HTMLResponse(html, status_code=200 if order else 404, headers=PRIVATE_HEADERS)


@functools.cache
def _status_template() -> Template:
    return templates().get_template("status.html")


def is_status_path(path: str) -> bool:
    """Whether `path` is under the customers' status pages (answered in their style)."""
    return path == "/status" or path.startswith("/status/")


@dataclass(frozen=True)
class Problem:
    """Why the status page cannot be shown: a heading and a sentence (none: the link is not valid)."""

    heading: str
    message: str


def render_problem(
    pb: Pegboard, status_code: int, problem: Problem | None, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """A status-page answer without an order: the link is not valid (`problem` None), or `problem`."""
    settings = pb.settings
    html = _status_template().render(
        order=None, problem=problem, shop_name=settings.shop_name, reply_to=settings.reply_to, ready=None
    )
    return HTMLResponse(html, status_code=status_code, headers={**PRIVATE_HEADERS, **(headers or {})})


def make_router() -> APIRouter:
    """The status-page route; templates are loaded once, when the app is built."""
    router = APIRouter(include_in_schema=False)
    page = templates().get_template("status.html")

    @router.get("/status/{token}", response_class=HTMLResponse)
    def status_page(token: str, pb: PegboardDep) -> HTMLResponse:
        """One order's lines, shipments and expected dates, for whoever holds its link."""
        return render_status(page, pb, read_status(pb, token))

    return router
