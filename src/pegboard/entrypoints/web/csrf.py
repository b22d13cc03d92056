"""Cross-site request forgery refused by what the browser says about where a write comes from.

On an unsafe method (POST, PUT, PATCH, DELETE) to a page, a browser's `Sec-Fetch-Site` must be
`same-origin` or `none`, and an `Origin` header, when sent, must name this host. Anything else
is refused with 403 before the app sees it. Clients that send neither (curl, scripts) pass: they
carry no browser's cookies. The REST API and Shopify's webhooks take no cookies and are not checked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
UNCHECKED_PREFIXES = ("/api/", "/shopify/")
ALLOWED_SITES = frozenset({"same-origin", "none"})


def cross_site(headers: dict[str, str]) -> bool:
    """Whether the browser says the request was sent from another site (or origin)."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ALLOWED_SITES:
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class CsrfGuard:
    """Refuses cross-site writes to pages with 403; everything else goes straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith(UNCHECKED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if not cross_site(headers):
            await self.app(scope, receive, send)
            return
        body = b"Refused: this form was sent from another site (cross-site request)."
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
