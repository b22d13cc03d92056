"""What a `pegboard` process imports before it works: only what its command needs (issue 13's
second of start-up, BENCHMARKS.md "cliboot"). Each test starts a fresh Python, as the command does."""

from __future__ import annotations

import json
import subprocess
import sys

#: Packages no command needs before it opens the database, and Alembic, which only migrating needs.
HEAVY = ("sqlalchemy", "alembic", "numpy", "pydantic", "pydantic_settings", "highspy", "psycopg")


def loaded_after(code: str) -> list[str]:
    """Which of `HEAVY` (and Pegboard's use cases) a fresh Python has loaded after running `code`."""
    script = f"""
import json, sys
{code}
names = [m for m in sys.modules if m in {HEAVY!r} or m.startswith(("pegboard.services.", "pegboard.views."))]
print(json.dumps(sorted(names)))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_the_command_line_and_its_help_import_no_database_settings_arrays_or_use_case() -> None:
    code = "from pegboard.entrypoints.cli import main\nassert main(['--help']) == 0"

    loaded = loaded_after(code)

    # The enums the commands' options name, and argument parsing, are all that is read of services.
    assert loaded == [
        "pegboard.services.import_kinds",
        "pegboard.services.parsing",
        "pegboard.services.roles",
    ]


def test_a_command_on_a_current_database_imports_no_alembic_and_no_other_commands_use_cases(
    sqlite_url: str,
) -> None:
    command = ["--db", sqlite_url, "backorders"]
    code = f"from pegboard.entrypoints.cli import main\nassert main({command!r}) == 0"

    loaded = loaded_after(code)

    assert "alembic" not in loaded and "sqlalchemy" in loaded
    assert not {"pegboard.services.imports", "pegboard.services.whatif", "pegboard.views.kpis"} & set(loaded)
