"""Rich tables that fit the terminal: columns go when there is no room, keys stay whole, text folds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table

#: Columns a reader finds rows by: never dropped, their values whole up to KEY_WIDTH characters.
KEYS = frozenset({"order", "ref", "sku", "id", "shopify id"})
KEY_WIDTH = 20
#: Values up to this long (dates, states, short refs) are never folded.
SHORT = 12
#: What each column costs besides its text: a space either side and a border.
EDGES = 3


@dataclass(eq=False)
class _Column:
    name: str
    values: list[str]
    numeric_name: bool

    @cached_property
    def numeric(self) -> bool:
        """Named as a number column, and every value is a number (or empty)."""
        return self.numeric_name and all(
            not v or v.replace(".", "", 1).removeprefix("-").isdigit() for v in self.values
        )

    @cached_property
    def blank(self) -> bool:
        return self.name not in KEYS and all(v in ("", "0") for v in self.values)

    @cached_property
    def header(self) -> int:
        """The header's longest word: a header wraps between words, never inside one."""
        return max(len(word) for word in self.name.split())

    @cached_property
    def longest(self) -> int:
        return max([len(self.name)] + [len(v) for v in self.values])

    @cached_property
    def narrowest(self) -> int:
        """Numbers and short values whole, keys whole up to KEY_WIDTH; other text folds to the header."""
        values = max((len(v) for v in self.values), default=0)
        if self.numeric or values <= SHORT:
            return max(self.header, values)
        if self.name in KEYS:
            return max(self.header, min(values, KEY_WIDTH))
        return self.header


def fitted(
    title: str,
    columns: list[str],
    rows: list[list[Any]],
    *,
    width: int,
    numeric: set[str] | frozenset[str],
    optional: Sequence[str] = (),
) -> Table:
    """A table no wider than `width`: while it is too wide, blank columns (all empty or zero) go
    first, then those in `optional` in the order given, and the table names them under it; keys
    (refs, SKUs), numbers and short values stay whole, longer text folds onto more lines."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    all_columns = [
        _Column(name, [row[i] for row in cells], name in numeric) for i, name in enumerate(columns)
    ]
    kept = list(all_columns)
    named = [c for name in optional for c in all_columns if c.name == name]
    for column in [c for c in all_columns if c.blank] + named:
        if _needed(kept) <= width:
            break
        if column in kept:
            kept.remove(column)
    hidden = [c.name for c in all_columns if c not in kept]
    table = _FoldingTable(
        title=title,
        title_justify="left",
        caption=f"Not shown at this width: {', '.join(hidden)} (--json has every field)" if hidden else None,
        caption_justify="left",
    )
    for column, column_width in zip(kept, _widths(kept, width), strict=True):
        table.add_column(
            column.name, justify="right" if column.numeric else "left", overflow="fold", width=column_width
        )
    positions = [all_columns.index(c) for c in kept]
    for row in cells:
        table.add_row(*(row[i] for i in positions))
    return table


def _needed(columns: list[_Column]) -> int:
    return 1 + sum(c.narrowest + EDGES for c in columns)


def _widths(columns: list[_Column], width: int) -> list[int]:
    """Each column's narrowest width (with no room even keys fold to their header), then the room
    left goes first to the columns that need least to show their longest value whole."""
    widths = [c.narrowest for c in columns]
    if _needed(columns) > width:
        widths = [c.narrowest if c.numeric else min(c.narrowest, c.header) for c in columns]
    spare = width - 1 - sum(w + EDGES for w in widths)
    for k in sorted(range(len(columns)), key=lambda k: columns[k].longest - widths[k]):
        more = max(0, min(spare, columns[k].longest - widths[k]))
        widths[k] += more
        spare -= more
    return widths


class _FoldingTable(Table):
    """A table that folds its text even when printed by a console that never wraps lines."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return super().__rich_console__(console, options.update(no_wrap=False, overflow="fold"))
