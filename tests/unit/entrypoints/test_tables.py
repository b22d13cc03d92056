"""The CLI's tables: drawn row by row exactly as Rich draws them, and plain text never read as markup."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from pegboard.entrypoints import tables
from pegboard.entrypoints.tables import _AsRich, _FoldingTable

NUMERIC = frozenset({"quantity", "line"})
COLUMNS = ["order", "line", "sku", "quantity", "customer", "reason"]
#: Cell texts: refs and numbers, words with spaces, brackets, long words, accents and wide characters.
TEXTS = st.one_of(
    st.sampled_from(["", "0", "12", "3.5", "SO-1", "SABER-GREEN", "open term", "[red]", "Bob [x]"]),
    st.text(alphabet=st.sampled_from("ab cdé[]/-.9Ωß京"), max_size=40),
    st.text(min_size=30, max_size=70),
)


def printed(renderable: object, *, width: int, terminal: bool) -> str:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
    )
    console.print(renderable)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def as_rich(table: Table) -> _AsRich:
    """The same table drawn cell by cell by Rich's own `Table`."""
    assert isinstance(table, _FoldingTable)
    return _AsRich(table._copy(table.cells))


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(1, len(COLUMNS)),
    rows=st.lists(st.lists(TEXTS, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=6),
    width=st.integers(20, 160),
    terminal=st.booleans(),
    optional=st.booleans(),
)
def test_a_table_is_drawn_exactly_as_rich_draws_it(
    count: int, rows: list[list[str]], width: int, terminal: bool, optional: bool
) -> None:
    columns = COLUMNS[:count]
    table = tables.fitted(
        "Promises",
        columns,
        [row[:count] for row in rows],
        width=width,
        numeric=NUMERIC,
        optional=["reason", "customer"] if optional else [],
    )
    assert isinstance(table, _FoldingTable)

    assert printed(table, width=width, terminal=terminal) == printed(
        as_rich(table), width=width, terminal=terminal
    )


def test_a_table_too_wide_for_the_console_is_narrowed_by_rich() -> None:
    table = tables.fitted(
        "Wide", ["order", "reason"], [["SO-1", "a reason " * 12]], width=120, numeric=NUMERIC
    )

    drawn = printed(table, width=40, terminal=False)

    assert max(len(line) for line in drawn.splitlines()) <= 40
    assert drawn == printed(as_rich(table), width=40, terminal=False)


def test_brackets_in_a_cell_show_as_typed_not_as_markup() -> None:
    table = tables.fitted(
        "Orders",
        ["order", "customer"],
        [["SO-1", "Bob [red]"], ["SO-2", "[bold]Acme[/bold]"]],
        width=80,
        numeric=NUMERIC,
    )

    drawn = printed(table, width=80, terminal=True)

    assert "Bob [red]" in drawn
    assert "[bold]Acme[/bold]" in drawn
    assert "\x1b[31m" not in drawn  # nothing turned red


def test_rows_are_drawn_between_the_header_and_the_caption() -> None:
    table = tables.fitted(
        "Orders",
        ["order", "customer", "reason"],
        [["SO-1", "Ann", "waits for KYBER-GREEN"]],
        width=24,
        numeric=NUMERIC,
        optional=["reason"],
    )

    lines = printed(table, width=24, terminal=False).splitlines()

    assert lines[0].startswith("Orders")
    assert "SO-1" in lines[4] and "Ann" in lines[4]
    assert lines[5].startswith("└")
    assert " ".join(line.strip() for line in lines[6:]).startswith("Not shown at this width: reason")


#: Plain ASCII as the plan's cells hold it: lists of refs, words, runs of spaces, long words.
ASCII = st.text(alphabet=st.sampled_from("ab ,-()SO19"), min_size=1, max_size=80).map(str.strip)


@settings(max_examples=500, deadline=None)
@given(text=ASCII, width=st.integers(1, 30), right=st.booleans())
def test_plain_ascii_is_folded_exactly_as_rich_folds_it(text: str, width: int, right: bool) -> None:
    console = Console(file=io.StringIO(), width=200)

    lines = tables._cell_lines(text, width, right, console, console.options)

    assert lines == tables._rich_lines(text, width, right, console, console.options)


def test_a_list_of_orders_folds_between_its_refs() -> None:
    console = Console(file=io.StringIO(), width=200)

    lines = tables._cell_lines("SO-1, SO-22, SO-333,  SO-4444", 9, False, console, console.options)

    assert lines == ["SO-1,    ", "SO-22,   ", "SO-333,  ", "SO-4444  "]
