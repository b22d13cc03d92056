"""Run the Alembic migrations that create or upgrade the schema."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from pegboard.adapters.db.engine import normalise_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at Pegboard's own migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema, creating it when empty."""
    command.upgrade(alembic_config(url), "head")


@cache
def _scripts() -> ScriptDirectory:
    """Pegboard's migration scripts, read once per process (they do not change while it runs)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    """The newest migration this Pegboard knows."""
    head = _scripts().get_current_head()
    assert head is not None, "Pegboard ships at least one migration"
    return head


def known_revisions() -> set[str]:
    """Every migration this Pegboard knows."""
    return {script.revision for script in _scripts().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it holds no Pegboard schema; reads only."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine) -> bool:
    """True when the database's schema is at the newest migration."""
    return current_revision(engine) == head_revision()
