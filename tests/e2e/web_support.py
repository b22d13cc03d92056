"""A served workshop for the web app's browser tests: `pegboard serve` on SQLite or PostgreSQL,
with users of each role, one Chromium per module, and helpers to sign in."""

from __future__ import annotations

import fcntl
import gc
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from pegboard.adapters.db import tables as t
from pegboard.adapters.db.scratch import scratch_postgres_database
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    WORKSHOPS_FOLDER,
    commits_without_waiting_for_the_disk,
    postgres_available,
    workshop_template_prefix,
)
from tests.e2e.test_pages_in_browser import CHROMIUM, free_port
from tests.serving import served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

TODAY = "2026-11-23"
PASSWORD = "correct-horse-battery"
USERS = {"boss": "admin", "op": "operator", "viewer": "viewer", "locked": "operator"}
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
BROWSER_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]


@dataclass(frozen=True)
class Workshop:
    """A served workshop: its address, its database, and which database kind it is."""

    url: str
    db: str
    kind: str

    def count(self, table: str, **where: Any) -> int:
        """Rows of a table (matching `where`), read straight from the database."""
        engine = create_engine(self.db)
        try:
            with engine.connect() as conn:
                tbl = t.metadata.tables[table]
                query = select(func.count()).select_from(tbl)
                for column, value in where.items():
                    query = query.where(tbl.c[column] == value)
                return int(conn.execute(query).scalar_one())
        finally:
            engine.dispose()

    def cli(self, *args: str) -> str:
        """Run a pegboard command on the served database (same business date); its output."""
        return run_cli(self.db, *args)

    def cookies_for(self, name: str, password: str) -> httpx.Response:
        """The answer to a sign-in over HTTP (303 with a cookie when it worked)."""
        return httpx.post(self.url + "/login", data={"username": name, "password": password})

    def cookies(self, name: str) -> httpx.Cookies:
        """The session cookie of `name`, signed in over HTTP."""
        response = httpx.post(
            self.url + "/login", data={"username": name, "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        return response.cookies


def run_cli(db: str, *args: str, stdin: str | None = None) -> str:
    """`pegboard --db DB --today TODAY ARGS`, run in this process (a new process would spend about
    a second of CPU importing pegboard again); its output, or the test fails with its error."""
    from pegboard.entrypoints.cli import main

    out, err = io.StringIO(), io.StringIO()
    given, sys.stdin = sys.stdin, io.StringIO(stdin or "")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["--db", db, "--today", TODAY, *args])
    finally:
        sys.stdin = given
    if code != 0:
        pytest.fail(f"pegboard {' '.join(args)} exited with {code}: {err.getvalue()}")
    return out.getvalue()


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI; `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed")


def _require_postgres() -> None:
    if not postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} cannot be reached")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")


#: Built workshops, one per (database kind, demo steps, users or not), copied for each module that asks:
#: the demo and the users' argon2 hashes are paid once per run (whichever worker asks first builds it,
#: the others wait for it), and every module still gets its own copy. tests/conftest.py makes the run's
#: folder and drops the PostgreSQL templates when the run ends.
_TEMPLATES: dict[tuple[str, int, bool], str] = {}


def _workshops_folder() -> Path:
    """The run's folder of built workshops (one of our own when no test run made it)."""
    if WORKSHOPS_FOLDER not in os.environ:
        os.environ[WORKSHOPS_FOLDER] = tempfile.mkdtemp(prefix="pegboard-web-templates-")
    return Path(os.environ[WORKSHOPS_FOLDER])


def _template(kind: str, steps: int, users: bool) -> str:
    """The built workshop for (kind, steps, users): a SQLite file path or a PostgreSQL database name.

    The first worker of the run to ask builds it, holding the key's lock; the others wait on the lock
    (no polling) and then read what was built."""
    key = (kind, steps, users)
    if key not in _TEMPLATES:
        folder = _workshops_folder()
        name = f"{kind}-{steps}-{int(users)}"
        with (folder / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            built = folder / f"{name}.built"
            if not built.exists():
                built.write_text(_build_template(kind, steps, users, folder))
            _TEMPLATES[key] = built.read_text()
    return _TEMPLATES[key]


def _build_template(kind: str, steps: int, users: bool, folder: Path) -> str:
    """The lightsaber demo after `steps` steps with users of every role (unless not `users`), made
    through the CLI; a SQLite file path or the name of a PostgreSQL database nobody stays connected to."""
    if kind == "sqlite":
        path = folder / f"web-{steps}-{int(users)}.db"
        db = f"sqlite:///{path}"
    else:
        name = f"{workshop_template_prefix(folder)}{steps}_{int(users)}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        db = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        commits_without_waiting_for_the_disk(db)
    run_cli(db, "init")
    run_cli(db, "demo", "--steps", str(steps))
    for name_, role in USERS.items() if users else ():
        run_cli(db, "user", "create", name_, "--role", role, stdin=PASSWORD + "\n")
    return str(path) if kind == "sqlite" else db.rsplit("/", 1)[1]


@contextmanager
def _database(kind: str, folder: Path, *, steps: int, users: bool) -> Iterator[str]:
    """A fresh copy of the built workshop for (kind, steps, users)."""
    if kind == "postgres":
        _require_postgres()
    template = _template(kind, steps, users)
    if kind == "sqlite":
        shutil.copy(template, folder / "web.db")
        yield f"sqlite:///{folder / 'web.db'}"
        return
    copy = scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_web_", template=template)
    with copy as url:
        commits_without_waiting_for_the_disk(url)
        yield url


@contextmanager
def served_workshop(
    kind: str, folder: Path, *, steps: int, env: dict[str, str] | None = None, users: bool = True
) -> Iterator[Workshop]:
    """The lightsaber demo after `steps` steps, users of every role (unless not `users`), served
    on a free port from a fresh copy of a workshop built once per run."""
    require_chromium()
    with _database(kind, folder, steps=steps, users=users) as db:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-m", "pegboard.entrypoints.cli", "serve", "--port", str(port), "--db", db],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PEGBOARD_TODAY": TODAY, "PEGBOARD_PUBLIC_URL": url, **(env or {})},
        )
        try:
            if not served(url + "/login", ok=True):
                pytest.fail("pegboard serve did not answer within 60 s")
            yield Workshop(url, db, kind)
        finally:
            process.terminate()
            process.wait(timeout=30)
            gc.collect()


#: Browser test modules ignore the sockets Playwright and httpx leave to the garbage collector.
QUIET = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


def served_on_each_database(
    folder: str,
    *,
    steps: int,
    prepare: Callable[[Workshop, Path], None] | None = None,
    env: dict[str, str] | None = None,
) -> Any:
    """A module fixture: the demo after `steps` steps served on SQLite, then on PostgreSQL, once
    each for the whole module, after `prepare(workshop, folder)` has added what the module needs.

    Assign it to the fixture's name: `shop = served_on_each_database("web-orders", steps=2)`.
    """

    @pytest.fixture(scope="module", params=["sqlite", "postgres"])
    def served(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Workshop]:
        path = tmp_path_factory.mktemp(folder)
        with served_workshop(request.param, path, steps=steps, env=env) as workshop:
            if prepare is not None:
                prepare(workshop, path)
            yield workshop

    return served


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium (Debian's), for a whole test module."""
    from playwright.sync_api import sync_playwright

    playwright: Playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def sign_in(page: Page, url: str, name: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person does."""
    page.goto(url + "/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/login" not in address)


@contextmanager
def signed_in(browser: Browser, shop: Workshop, name: str, **options: Any) -> Iterator[Page]:
    """A fresh browser context (its own cookies) with `name` signed in."""
    context: BrowserContext = browser.new_context(**options)
    try:
        page = context.new_page()
        sign_in(page, shop.url, name)
        yield page
    finally:
        context.close()


SCREENS = ARTEFACTS / "screens"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artefact under tests/artefacts/screens."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page) -> None:
    """axe-core (from node_modules) finds no serious or critical violation on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)
