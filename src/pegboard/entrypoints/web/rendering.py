"""Rendering pages: one Jinja2 environment, the shell every page shares, and htmx fragments.

A page is a template extending `base.html` with a typed page object from `views/`. When htmx
asks (`HX-Request`, not a boosted link), only the page's `fragment` block is rendered (else
its `main` block): every URL is also a whole page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pegboard.entrypoints.web.assets import Assets
from pegboard.entrypoints.web.forms import FieldError
from pegboard.services.users import User
from pegboard.views.wording import day_and_month, long_date, quantity_words, status_words

#: Every page of the app, as the navigation lists them.
NAV = (
    ("/", "Today"),
    ("/orders", "Orders"),
    ("/backorders", "Backorders"),
    ("/production", "Production"),
    ("/purchasing", "Purchasing"),
    ("/items", "Stock"),
    ("/plan", "Plan"),
    ("/import", "Import"),
    ("/reports", "Reports"),
    ("/settings", "Settings"),
)
FLASH_COOKIE = "pegboard_flash"
SCRIPTS = ("htmx.min.js", "chart.umd.min.js", "Sortable.min.js")


@dataclass(frozen=True)
class Shell:
    """What the base template needs besides the page: title, who is signed in, where, which scripts."""

    title: str
    path: str
    user: User | None
    scripts: tuple[str, ...]
    errors: tuple[FieldError, ...]
    flash: str | None
    nav: tuple[tuple[str, str], ...] = NAV

    def current(self, href: str) -> bool:
        """Whether a navigation link leads to the page shown (or one below it)."""
        return self.path == href if href == "/" else self.path == href or self.path.startswith(href + "/")


def day_words(value: date | datetime | None, today: date | None = None) -> str:
    """A date in words: "12 March", with the year when it is not this year's; "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if today is not None and value.year == today.year:
        return day_and_month(value)
    return long_date(value)


def money(value: Decimal | None) -> str:
    """An amount with two decimals and thousands separated: 1,234.50."""
    return "" if value is None else f"{value:,.2f}"


def plural(count: int | Decimal, word: str, many: str | None = None) -> str:
    """ "1 day", "3 days"."""
    return f"{quantity_words(Decimal(count))} {word if count == 1 else (many or word + 's')}"


def environment() -> Environment:
    """The templates shipped with the package, HTML-escaped and strict about missing values."""
    env = Environment(
        loader=PackageLoader("pegboard.entrypoints.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=long_date,
        day=day_words,
        quantity=quantity_words,
        status_words=status_words,
        money=money,
        plural=plural,
    )
    return env


def wants_fragment(request: Request) -> bool:
    """htmx asked for part of the page (a boosted link wants the whole page)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-boosted") != "true"


class Renderer:
    """Renders pages and fragments, with the shell (navigation, user, scripts, flash message)."""

    def __init__(self, assets: Assets) -> None:
        self.env = environment()
        self.scripts = tuple(name for name in SCRIPTS if assets.has(name))

    def page(
        self,
        request: Request,
        template: str,
        page: object,
        *,
        title: str,
        user: User | None,
        status: int | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The page (or its fragment for htmx); a refused form's title starts with "Error: " and,
        unless `status` says otherwise, it is answered 422."""
        flash = request.cookies.get(FLASH_COOKIE)
        shell = Shell(
            title=("Error: " if errors else "") + title,
            path=request.url.path,
            user=user,
            scripts=self.scripts,
            errors=tuple(errors),
            flash=flash[:300] if flash else None,
        )
        html = self.render(template, {"page": page, "shell": shell}, fragment=wants_fragment(request))
        code = status if status is not None else (422 if errors else 200)
        response = HTMLResponse(html, status_code=code, headers=dict(headers or {}))
        response.headers.setdefault("Cache-Control", "no-store")
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def render(self, template: str, context: dict[str, Any], *, fragment: bool = False) -> str:
        """The whole template, or only its `fragment` block (else `main`)."""
        tmpl = self.env.get_template(template)
        if not fragment:
            return tmpl.render(context)
        block = "fragment" if "fragment" in tmpl.blocks else "main"
        return "".join(tmpl.blocks[block](tmpl.new_context(context)))


def redirect(url: str, *, flash: str | None = None) -> RedirectResponse:
    """POST-redirect-GET: 303 to `url`, with a short message for the next page to show once."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, flash[:300], max_age=60, path="/", httponly=True, samesite="lax")
    return response
