"""The dependency rule: the domain and the planning engine stay free of I/O frameworks."""

from __future__ import annotations

from pathlib import Path

import pegboard

PACKAGE = Path(pegboard.__file__).parent
BANNED_IN_DOMAIN = (
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "typer",
    "rich",
    "alembic",
    "psycopg",
    "pegboard.adapters",
    "pegboard.services",
    "pegboard.entrypoints",
    "pegboard.planning",
    "numpy",
    "highspy",
)
BANNED_IN_PLANNING = (
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "typer",
    "rich",
    "alembic",
    "psycopg",
    "pegboard.adapters",
    "pegboard.services",
    "pegboard.entrypoints",
)
BANNED_IN_SERVICES = (
    "sqlalchemy",
    "fastapi",
    "typer",
    "rich",
    "alembic",
    "psycopg",
    "pegboard.adapters",
    "pegboard.entrypoints",
)


def _imports(path: Path, banned: tuple[str, ...]) -> list[str]:
    text = path.read_text()
    return [b for b in banned if f"import {b}" in text or f"from {b}" in text]


def test_domain_stays_free_of_frameworks() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        assert not _imports(path, BANNED_IN_DOMAIN), f"{path.name} imports {_imports(path, BANNED_IN_DOMAIN)}"


def test_planning_never_touches_the_database_or_the_web() -> None:
    for path in (PACKAGE / "planning").rglob("*.py"):
        assert not _imports(path, BANNED_IN_PLANNING), path.name


def test_services_use_ports_not_adapters() -> None:
    for path in (PACKAGE / "services").rglob("*.py"):
        assert not _imports(path, BANNED_IN_SERVICES), (
            f"{path.name} imports {_imports(path, BANNED_IN_SERVICES)}"
        )
