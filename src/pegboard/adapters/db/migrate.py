"""Run the Alembic migrations that create or upgrade the schema.

Alembic is imported only where it is used (migrating, and the rare checks only it can answer):
every command checks the schema, and importing Alembic costs about 0.1 s of each process's start
(BENCHMARKS.md, "cliboot"); the check's usual path reads the scripts' lines and the version table.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from pegboard.adapters.db.engine import normalise_url

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at Pegboard's own migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema, creating it when empty."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


@cache
def _scripts() -> ScriptDirectory:
    """Pegboard's migration scripts, read once per process (they do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


#: A migration script's own line naming its revision, or the one it revises.
_NAMED = re.compile(r"^(revision|down_revision)(?:: [^=\n]+)? = (.+)$", re.MULTILINE)


@cache
def _revision_lines() -> dict[str, tuple[str, ...]] | None:
    """Pegboard's migrations as `revisions_named_in` reads them, once per process."""
    return revisions_named_in(MIGRATIONS / "versions")


def revisions_named_in(versions: Path) -> dict[str, tuple[str, ...]] | None:
    """Each migration script's revision and those it revises, read from its own `revision = "…"`
    and `down_revision = "…"` lines without running it; None when a script does not name both
    once, in plain literals (then only Alembic can say).

    Every command checks the schema is at the newest migration (`Pegboard.require_current`), and
    Alembic finds that by compiling and running every script: 20 ms of a 0.2 s `pegboard plan` at
    M (BENCHMARKS.md, "mstart"); these lines are read in well under a millisecond."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(versions.glob("*.py")):
        named = _NAMED.findall(path.read_text(encoding="utf-8"))
        if sorted(name for name, _ in named) != ["down_revision", "revision"]:
            return None
        values = dict(named)
        try:
            revision, down = ast.literal_eval(values["revision"]), ast.literal_eval(values["down_revision"])
        except (ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        found[revision] = (down,) if isinstance(down, str) else tuple(down or ())
    return found


def head_revision() -> str:
    """The newest migration this Pegboard knows."""
    revisions = _revision_lines()
    if revisions is not None:
        heads = set(revisions).difference(*revisions.values())
        if len(heads) == 1:
            return heads.pop()
    head = _scripts().get_current_head()
    assert head is not None, "Pegboard ships at least one migration"
    return head


def known_revisions() -> set[str]:
    """Every migration this Pegboard knows."""
    return {script.revision for script in _scripts().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it holds no Pegboard schema; reads only.

    Alembic's version table is read at once: asking Alembic first looks the table up in the
    catalog, a query of its own that a fresh connection plans slowly (3 to 6 ms of every
    command). When that read fails (no such table) or finds other than one row, Alembic says."""
    with engine.connect() as conn:
        try:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            conn.rollback()
        else:
            if len(found) == 1:
                return str(found[0])
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine) -> bool:
    """True when the database's schema is at the newest migration."""
    return current_revision(engine) == head_revision()
