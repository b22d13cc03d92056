"""Fixtures of the database-layer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command

from pegboard.adapters.db.migrate import alembic_config
from pegboard.adapters.db.scratch import scratch_postgres_database
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgres"])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database at the newest migration, on SQLite or on PostgreSQL; dropped after."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_test_") as url:
        yield url
