"""A `pegboard plan` process gives its arrays ordinary pages, not NumPy's huge pages, unless the
user chose (BENCHMARKS.md "first5"). Each test starts a fresh Python, as the command does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

#: What `pegboard plan` does before it plans.
TOLD = "from pegboard.entrypoints.cli.pages import arrays_on_small_pages\narrays_on_small_pages()"


def huge_pages_after(code: str, **environment: str) -> bool:
    """Whether NumPy asks for huge pages in a fresh Python after `code` ran."""
    script = f"{code}\nimport numpy._core.multiarray as m\nprint(m._get_madvise_hugepage())"
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"} | environment
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    return done.stdout.splitlines()[-1] == "True"


@pytest.fixture
def numpy_asks_for_huge_pages() -> None:
    if not huge_pages_after(""):
        pytest.skip("NumPy asks for no huge pages here (not Linux, or an old kernel)")


@pytest.mark.usefixtures("numpy_asks_for_huge_pages")
def test_a_plan_command_gives_its_arrays_ordinary_pages(sqlite_url: str) -> None:
    command = ["--db", sqlite_url, "--today", "2026-12-01", "plan"]
    code = f"from pegboard.entrypoints.cli import main\nassert main({command!r}) == 0"

    assert huge_pages_after(code) is False


@pytest.mark.usefixtures("numpy_asks_for_huge_pages")
def test_numpy_already_imported_is_told_too() -> None:
    code = "import numpy\n" + TOLD

    assert huge_pages_after(code) is False


def test_huge_pages_the_user_asked_for_are_kept() -> None:
    assert huge_pages_after(TOLD, NUMPY_MADVISE_HUGEPAGE="1") is True


def test_commands_that_do_not_plan_keep_numpys_choice(sqlite_url: str) -> None:
    command = ["--db", sqlite_url, "backorders"]
    code = f"from pegboard.entrypoints.cli import main\nassert main({command!r}) == 0"

    assert huge_pages_after(code) is huge_pages_after("")
