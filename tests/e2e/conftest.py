"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.web_support import drop_templates


@pytest.fixture(scope="session", autouse=True)
def built_workshops_are_dropped_at_the_end() -> Iterator[None]:
    """The served workshops' templates (built once per run) are dropped when the run ends."""
    yield
    drop_templates()
