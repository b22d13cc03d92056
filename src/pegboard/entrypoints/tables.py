"""Rich tables that fit the terminal: columns go when there is no room, keys stay whole, text folds.

Cells are plain text, never Rich markup: an SKU or a customer named "Bob [red]" shows as typed.
A table of 100k rows (`pegboard orders` at M) is drawn row by row as Rich would draw it
(`_FoldingTable`), since Rich's own table lays out every cell as a renderable, about half a
millisecond a row; Rich still draws the frame (title, header, borders, caption) and any cell that
needs more than padding (`_cell_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

from rich._wrap import divide_line
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

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
    positions = [all_columns.index(c) for c in kept]
    table = _FoldingTable(
        [[row[i] for i in positions] for row in cells],
        title=title,
        title_justify="left",
        caption=f"Not shown at this width: {', '.join(hidden)} (--json has every field)" if hidden else None,
        caption_justify="left",
    )
    for column, column_width in zip(kept, _widths(kept, width), strict=True):
        table.add_column(
            column.name, justify="right" if column.numeric else "left", overflow="fold", width=column_width
        )
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
    """A table of plain texts (`cells`, a list per row) that folds its text even when printed by a
    console that never wraps lines; its rows drawn as Rich draws them, only faster (`_drawn`)."""

    def __init__(self, cells: list[list[str]], **options: Any) -> None:
        super().__init__(**options)
        self.cells = cells

    @property
    def row_count(self) -> int:
        return len(self.cells)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        options = options.update(no_wrap=False, overflow="fold")
        widths = [column.width or 0 for column in self.columns]
        if 1 + sum(w + EDGES for w in widths) <= options.max_width:
            return _drawn(self, widths, console, options)
        # Too narrow for these widths: Rich narrows the columns and draws every cell itself.
        return console.render(_AsRich(self._copy(self.cells)), options)

    def _copy(self, cells: list[list[str]], *, caption: bool = True) -> Table:
        """This table as Rich's own, with these rows (and without its caption if not `caption`)."""
        drawn = copy(self)
        drawn.columns, drawn.rows, drawn.cells = [replace(c, _cells=[]) for c in self.columns], [], []
        if not caption:
            drawn.caption = None
        for row in cells:
            Table.add_row(drawn, *map(Text, row))
        return drawn


class _AsRich:
    """Draws a table by Rich's own `Table` drawing."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return Table.__rich_console__(self.table, console, options)


def _drawn(
    table: _FoldingTable, widths: list[int], console: Console, options: ConsoleOptions
) -> RenderResult:
    """The lines Rich draws for `table` (its columns `widths` wide, which fit), a row line at a time:
    Rich draws the frame without rows; the rows go above its bottom border (and caption)."""
    framed = _lines(table._copy([]), console, options)
    border = len(_lines(table._copy([], caption=False), console, options)) - 1
    for line in framed[:border]:
        yield from line
        yield Segment.line()
    assert table.box is not None  # Rich's default heavy-headed box
    box = table.box.substitute(options, safe=console.safe_box if table.safe_box is None else table.safe_box)
    right = [column.justify == "right" for column in table.columns]
    last = len(table.cells) - 1
    for index, row in enumerate(table.cells):
        left, end, divider = (
            (box.foot_left, box.foot_right, box.foot_vertical)
            if index == last
            else (box.mid_left, box.mid_right, box.mid_vertical)
        )
        cells = [
            _cell_lines(text, w, r, console, options) for text, w, r in zip(row, widths, right, strict=True)
        ]
        for line_no in range(max(map(len, cells), default=1)):
            parts = (
                f" {c[line_no]} " if line_no < len(c) else " " * (w + 2)
                for c, w in zip(cells, widths, strict=True)
            )
            yield Segment(left + divider.join(parts) + end)
            yield Segment.line()
    for line in framed[border:]:
        yield from line
        yield Segment.line()


def _lines(table: Table, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
    return list(Segment.split_lines(console.render(_AsRich(table), options)))


def _cell_lines(text: str, width: int, right: bool, console: Console, options: ConsoleOptions) -> list[str]:
    """A cell's lines, each `width` wide: plain ASCII is laid out here (`_folded`), any other text
    by Rich (wide characters measured)."""
    if text.isascii() and text.isprintable() and text == text.strip():
        if len(text) <= width:
            return [text.rjust(width) if right else text.ljust(width)]
        return _folded(text, width, right)
    return _rich_lines(text, width, right, console, options)


def _rich_lines(text: str, width: int, right: bool, console: Console, options: ConsoleOptions) -> list[str]:
    """A cell's lines, each `width` wide, as Rich lays them out."""
    justify: Literal["left", "right"] = "right" if right else "left"
    lines = console.render_lines(
        Text(text, justify=justify),
        options.update(width=width, justify=justify, no_wrap=False, overflow="fold", height=None),
        pad=True,
    )
    return ["".join(segment.text for segment in line) for line in lines]


def _folded(text: str, width: int, right: bool) -> list[str]:
    """Plain printable ASCII without spaces at its ends, folded onto lines `width` wide as Rich's
    `Text.wrap` folds it (overflow "fold"), without building Rich's objects: a queue's cells that
    list many orders took most of `pegboard plan`'s printing (BENCHMARKS.md, "mstart").

    Rich breaks before the words (`divide_line`, its own) that do not fit and folds a word longer
    than a line; a line then loses the spaces at its end that pass the width, and is padded on
    the right, or (`right`) loses all its ending spaces and is padded on the left."""
    breaks = divide_line(text, width, fold=True)
    lines = []
    for start, end in zip([0, *breaks], [*breaks, len(text)], strict=True):
        line = text[start:end]
        if len(line) > width:
            line = line[: max(width, len(line.rstrip(" ")))]
        lines.append(line.rstrip(" ")[:width].rjust(width) if right else line[:width].ljust(width))
    return lines
