"""Front-end files: our own (package data) and the npm packages' (node_modules), served under /static.

The npm packages are never committed: `make install` runs `npm ci`, and the app finds the
`node_modules` folder from PEGBOARD_ASSETS_DIR, else the working directory, else the source
checkout this package runs from. A missing file is simply not linked: every page reads and
posts without JavaScript.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

#: What the pages may load from node_modules, by the name they load it under.
VENDOR = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "Sortable.min.js": "sortablejs/Sortable.min.js",
    "axe.min.js": "axe-core/axe.min.js",
}
OWN = ("app.css", "app.js", "availability.js")
CACHE = {"Cache-Control": "public, max-age=3600"}
MEDIA = {".js": "text/javascript", ".css": "text/css"}


def node_modules(configured: str | None) -> Path | None:
    """The node_modules folder holding the vendor files: the configured one, else the first found."""
    if configured:
        path = Path(configured)
        return path if path.is_dir() else None
    here = Path(__file__).resolve()
    for folder in (Path.cwd(), *here.parents):
        candidate = folder / "node_modules"
        if (candidate / "htmx.org").is_dir():
            return candidate
    return None


class Assets:
    """The vendor files present on this machine, and the route that serves them and ours."""

    def __init__(self, configured: str | None) -> None:
        self.root = node_modules(configured)
        self.present = {
            name: self.root / path
            for name, path in VENDOR.items()
            if self.root is not None and (self.root / path).is_file()
        }
        self.own = files("pegboard.entrypoints.web").joinpath("static")

    def has(self, name: str) -> bool:
        """Whether a vendor file can be served (pages link only those)."""
        return name in self.present

    def router(self) -> APIRouter:
        """GET /static/{name} (ours) and /static/vendor/{name} (npm's); nothing else is reachable."""
        router = APIRouter(include_in_schema=False)

        @router.api_route("/static/vendor/{name}", methods=["GET", "HEAD"])
        def vendor(name: str) -> Response:
            path = self.present.get(name)
            if path is None:
                return Response("not installed", status_code=404, media_type="text/plain")
            return FileResponse(path, media_type=MEDIA[path.suffix], headers=CACHE)

        @router.api_route("/static/{name}", methods=["GET", "HEAD"])
        def own(name: str) -> Response:
            if name not in OWN:
                return Response("not found", status_code=404, media_type="text/plain")
            body = self.own.joinpath(name).read_bytes()
            return Response(body, media_type=MEDIA[Path(name).suffix], headers=CACHE)

        return router
