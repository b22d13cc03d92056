"""The pages in a real browser (Debian's Chromium driven by Playwright), served by `pegboard serve`."""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.serving import served

# The Playwright driver's pipes are closed by the garbage collector, not by Playwright itself.
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pegboard serve` on a demo workshop, on a free port of this machine."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI; `make test` installs Debian's chromium")
        pytest.skip("Chromium is not installed")
    db = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'pages.db'}"
    from pegboard.entrypoints.cli import main

    # The demo is made in this process (a new one would spend a second of CPU importing pegboard).
    assert main(["demo", "--steps", "3", "--db", db]) == 0
    command = [sys.executable, "-m", "pegboard.entrypoints.cli"]
    port = free_port()
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not served(url + "/login", ok=True):
            pytest.fail("pegboard serve did not answer within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        gc.collect()


def test_the_sign_in_page_links_to_the_api_documentation_which_renders_offline(server: str) -> None:
    from playwright.sync_api import sync_playwright

    hosts: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))

            page.goto(server + "/")
            assert page.title() == "Sign in · Pegboard"
            page.click("a[href='/docs']")
            page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)
            page.get_by_text("/api/v1/orders", exact=True).first.wait_for(timeout=30_000)

            assert page.url == server + "/docs"
        finally:
            browser.close()
    assert hosts <= {"127.0.0.1"}, f"the pages loaded something from elsewhere: {hosts}"
