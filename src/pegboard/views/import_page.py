"""The import page: which CSV kinds there are, with their columns, and a rejected file's problems."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pegboard.services.imports import COLUMNS, ImportKind

_PROBLEM = re.compile(r"^line (\d+): (?:row (\d+), )?field '([^']*)', value '(.*?)': (.*)$", re.DOTALL)
_LINE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file was refused: where (line of the file, data row), the column, the value, why."""

    line: int | None
    row: int | None
    column: str
    value: str
    problem: str

    @property
    def where(self) -> str:
        """ "line 3, row 2" (line of the file, counting the header; data row), or "" when unknown."""
        if self.line is None:
            return ""
        return f"line {self.line}" + (f", row {self.row}" if self.row is not None else "")


def problem_of(message: str) -> ImportProblem:
    """An import problem split into line, row, column and value where the message names them."""
    found = _PROBLEM.match(message)
    if found is not None:
        row = int(found[2]) if found[2] else None
        return ImportProblem(int(found[1]), row, found[3], found[4], found[5])
    line = _LINE.match(message)
    if line is not None:
        return ImportProblem(int(line[1]), None, "", "", line[2])
    return ImportProblem(None, None, "", "", message)


@dataclass(frozen=True)
class KindColumns:
    """A CSV kind and its columns: those required, then those that may be left out."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class ImportPage:
    """The upload form, the kinds it takes, and (after a refusal) every problem by row."""

    kinds: tuple[KindColumns, ...]
    chosen: str
    problems: tuple[str, ...]
    can_write: bool

    @property
    def rows(self) -> tuple[ImportProblem, ...]:
        """The problems by line, row, column and value."""
        return tuple(problem_of(p) for p in self.problems)


def import_page(*, chosen: str = "", problems: tuple[str, ...] = (), can_write: bool) -> ImportPage:
    """The page, kinds in the order files should be imported (suppliers before items, ...)."""
    kinds = tuple(KindColumns(kind.value, *COLUMNS[kind]) for kind in ImportKind)
    return ImportPage(kinds, chosen or ImportKind.SUPPLIERS.value, problems, can_write)
