"""Reading a CSV file: its header checked, each record with the line it starts on, quoting enforced."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TextIO

from pegboard.domain.errors import BadInput

MAX_ERRORS = 20


class ImportRejected(BadInput):
    """The file has bad rows; nothing of it was written."""

    code = "import_rejected"

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS]
        more = f"\n... and {len(problems) - MAX_ERRORS} more" if len(problems) > MAX_ERRORS else ""
        super().__init__(f"{source}: nothing was imported.\n" + "\n".join(shown) + more)
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One data row; `number` counts data rows from 1, `line` is the file's line where the row starts."""

    number: int
    cells: dict[str, str]
    line: int = 0

    def __getitem__(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def where(self) -> str:
        return f"line {self.line or self.number + 1}"

    def problem(self, column: str, value: object, reason: str) -> str:
        """A message naming this row's line, number, the column and the value."""
        return f"{self.where()}: row {self.number}, field {column!r}, value {str(value)!r}: {reason}"


def read_rows(
    stream: TextIO, source: str, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[Row]:
    """Read the CSV, checking its header (required columns, no unknown or repeated ones) and its quoting."""
    try:
        text = stream.read()
    except UnicodeDecodeError as error:
        raise ImportRejected(source, [f"the file is not UTF-8 text ({error.reason})"]) from None
    records = _records(io.StringIO(text.lstrip("\ufeff")), source)
    header = [name.strip() for name in (records[0][1] if records else [])]
    if not any(header):
        raise ImportRejected(source, ["the file is empty: a header row is required"])
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    repeated = sorted({c for c in header if header.count(c) > 1})
    problems = [f"header: required column {c!r} is missing" for c in missing]
    problems += [f"header: unknown column {c!r} (expected {', '.join(required + optional)})" for c in unknown]
    problems += [f"header: column {c!r} appears more than once" for c in repeated]
    if problems:
        raise ImportRejected(source, problems)
    rows = []
    for number, (line, cells) in enumerate(records[1:], start=1):
        if len(cells) > len(header):
            raise ImportRejected(source, [f"line {line}: row {number} has more cells than the header"])
        if all(not v.strip() for v in cells):
            continue
        padded = cells + [""] * (len(header) - len(cells))
        rows.append(Row(number, dict(zip(header, padded, strict=True)), line))
    return rows


def _records(stream: TextIO, source: str) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on; a quote left open is refused where it opened."""
    reader = csv.reader(stream, strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            if reader.line_num > start or "unexpected end of data" in str(error):
                reason = f"a quote opened on this line is not closed (it runs to line {reader.line_num})"
            else:
                reason = f"malformed CSV ({error})"
            raise ImportRejected(source, [f"line {start}: {reason}"]) from None
        if cells is None:
            return records
        if cells:
            records.append((start, cells))
