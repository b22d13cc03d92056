"""API documentation served from this machine: Swagger UI with local assets, never a CDN.

The Swagger UI files come from the `fastapi-offline` package when it is installed; without it,
/docs is a plain page listing the endpoints from /openapi.json.
"""

from __future__ import annotations

import html
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/static/docs"


def swagger_assets() -> Path | None:
    """The folder holding swagger-ui-bundle.js and swagger-ui.css, if a package ships them."""
    spec = find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    needed = ("swagger-ui-bundle.js", "swagger-ui.css")
    return folder if all((folder / name).is_file() for name in needed) else None


def endpoint_list_html(openapi: dict[str, Any], *, title: str) -> str:
    """A plain page listing each endpoint's method, path and summary, for when Swagger UI is absent."""
    rows = []
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            summary = operation.get("summary") or ""
            described = (operation.get("description") or "").split("\n")[0]
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(summary)}</td><td>{html.escape(described)}</td></tr>"
            )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} API</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}td{padding:.2rem .6rem;"
        "vertical-align:top}tr:nth-child(even){background:#f4f5f7}</style></head><body>"
        f"<h1>{html.escape(title)} API</h1>"
        "<p>The full description is at <a href='/openapi.json'>/openapi.json</a>. "
        "Send <code>Authorization: Bearer TOKEN</code> with every request.</p>"
        "<table><tr><th>method</th><th>path</th><th>summary</th><th>rule</th></tr>"
        + "".join(rows)
        + "</table></body></html>"
    )


def add_docs(app: FastAPI) -> None:
    """Serve /docs: Swagger UI from local files when available, else the endpoint list."""
    assets = swagger_assets()
    if assets is None:

        @app.get("/docs", include_in_schema=False)
        async def endpoint_list() -> HTMLResponse:
            """Every endpoint with its rule, read from the OpenAPI description."""
            return HTMLResponse(endpoint_list_html(app.openapi(), title=app.title))

        return

    app.mount(ASSETS_URL, StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        """Swagger UI on /openapi.json, its script and style served from this machine."""
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )
