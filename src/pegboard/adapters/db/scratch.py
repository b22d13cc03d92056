"""Throw-away PostgreSQL databases for test and benchmark runs: created, migrated, dropped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from pegboard.adapters.db.migrate import upgrade


@contextmanager
def scratch_postgres_database(admin_url: str, *, prefix: str, template: str | None = None) -> Iterator[str]:
    """A new database named PREFIX + random hex on the server of `admin_url`, migrated (or a copy of the
    database named `template`, which nobody may be connected to); dropped after."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            copy_of = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        try:
            if template is None:
                upgrade(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
