"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.web_support import chromium, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for a whole module, whichever of its workshops (SQLite, PostgreSQL) it
    visits; each test opens its own browser context, so no cookie or page is shared."""
    require_chromium()
    with chromium() as launched:
        yield launched
