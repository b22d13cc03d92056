"""Rich tables fit an 80-column terminal: blank and optional columns go, refs and SKUs stay whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pegboard.entrypoints.cli import main

TODAY = "2026-11-23"
LONG_NAME = "Maximilian Alexander von Habsburg-Lothringen"


def pegboard(url: str, *args: str, columns: int = 80) -> str:
    """The installed command, its output going to a pipe read as a terminal of `columns` columns."""
    done = subprocess.run(
        [sys.executable, "-m", "pegboard.entrypoints.cli", "--db", url, "--today", TODAY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"COLUMNS": str(columns)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def workshop(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo workshop with open backorders, and an order with a long ref and customer name."""
    assert main(["--db", sqlite_url, "--today", TODAY, "demo", "--steps", "3"]) == 0
    place = ["place", "SO-2026-LONG-REFERENCE-7", "SABER-GREEN:1", "HILT:2", "--customer", LONG_NAME]
    assert main(["--db", sqlite_url, "--today", TODAY, *place]) == 0
    capsys.readouterr()
    return sqlite_url


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (("orders",), ["order", "sku", "ordered", "allocated", "backordered", "SO-1", "SABER-GREEN"]),
        (("backorders",), ["order", "sku", "quantity", "opened", "SO-2", "SABER-GREEN", TODAY]),
        (("supply", "--all"), ["ref", "sku", "quantity", "expected", "status"]),
        (("plan",), ["order", "sku", "quantity", "date", "reason", "SABER-GREEN", "KYBER-GREEN"]),
        (("stock", "HILT"), ["date", "kind", "change", "reference"]),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else "",
)
def test_a_table_fits_80_columns_and_keeps_its_key_columns_whole(
    workshop: str, args: tuple[str, ...], keys: list[str]
) -> None:
    out = pegboard(workshop, *args)

    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, out
    assert "…" not in out
    for key in keys:
        assert key in out, f"{key!r} is missing from\n{out}"


def test_columns_that_do_not_fit_are_named_under_the_table(workshop: str) -> None:
    narrow = pegboard(workshop, "orders")
    wide = pegboard(workshop, "orders", columns=250)

    assert "Not shown at this width:" in narrow and "cancelled" in narrow
    assert "Not shown" not in wide and LONG_NAME in wide and "with supplier" in wide


def test_json_is_the_same_at_any_width(workshop: str) -> None:
    narrow = pegboard(workshop, "orders", "--json")

    assert narrow == pegboard(workshop, "orders", "--json", columns=250)
    long_ref = next(o for o in json.loads(narrow) if o["order_ref"] == "SO-2026-LONG-REFERENCE-7")
    assert long_ref["customer"] == LONG_NAME and {"status", "ship_policy", "lines"} <= long_ref.keys()


def test_text_in_square_brackets_shows_as_typed_not_as_markup(workshop: str) -> None:
    reason = "[red]dropped[/red] a box [x]"
    pegboard(workshop, "count", "HILT", "8", "--reason", reason)

    out = pegboard(workshop, "stock", "HILT", columns=120)

    assert reason in out
    assert out.startswith("HILT: on hand 8")
