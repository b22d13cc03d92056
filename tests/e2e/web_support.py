"""Shared help for browser tests of the web app: a served demo workshop with users, a signed-in
Chromium page, screenshots kept as artefacts, and an axe-core check.

Import the fixtures into a test module (`from tests.e2e.web_support import browser, served`)
and use `sign_in`, `screenshot` and `assert_accessible` on its pages.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pegboard.adapters.db.scratch import scratch_postgres_database
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_available

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "tests" / "artefacts" / "screens"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CLI = [sys.executable, "-m", "pegboard.entrypoints.cli"]
PASSWORD = "correct horse battery staple"
#: Users made for every served app: name -> role (the password is PASSWORD).
USERS = {"ada": "admin", "otto": "operator", "vera": "viewer"}


@dataclass(frozen=True)
class Served:
    """A running `pegboard serve`: its base URL and database URL (for the CLI beside it)."""

    url: str
    db: str

    def cli(self, *args: str) -> str:
        """Run a pegboard command on the served database; its standard output."""
        done = subprocess.run(
            [*CLI, *args, "--db", self.db], check=True, capture_output=True, text=True, timeout=120
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(db: str, *, demo_steps: int) -> Iterator[Served]:
    subprocess.run(
        [*CLI, "demo", "--steps", str(demo_steps), "--db", db], check=True, capture_output=True, timeout=120
    )
    for name, role in USERS.items():
        subprocess.run(
            [*CLI, "user", "create", name, "--role", role, "--db", db],
            input=PASSWORD + "\n",
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("pegboard serve did not answer within 60 s")
        yield Served(url, db)
    finally:
        process.terminate()
        process.wait(timeout=30)
        gc.collect()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo workshop after its first shipments (SO-1 and SO-2 wait), served; users ada (admin),
    otto (operator) and vera (viewer); once on SQLite and once on PostgreSQL."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI; `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed")
    if request.param == "sqlite":
        yield from _serve(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}", demo_steps=3)
        return
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} cannot be reached")
        pytest.skip("PostgreSQL is not running")
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_web_") as url:
        yield from _serve(url, demo_steps=3)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def sign_in(browser: Any, served: Served, name: str, *, width: int = 1280) -> Any:
    """A new page in its own context, signed in as `name`."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(served.url + "/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served.url + "/")
    return page


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot kept under tests/artefacts/screens."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)
