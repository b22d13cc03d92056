"""The import page: the kinds of CSV file with their columns, and a refused file's problems by row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pegboard.services.imports import COLUMNS, ImportKind

_PROBLEM = re.compile(r"^line (\d+): (?:row (\d+), )?field '([^']*)', value '(.*?)': (.*)$", re.DOTALL)


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file was refused: where (line of the file, data row, column), the value, and why."""

    line: int | None
    row: int | None
    column: str
    value: str
    problem: str


@dataclass(frozen=True)
class KindHelp:
    """A kind of file, with the columns it needs and those it may have."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class ImportPage:
    """The /import page: the form, the kinds, and a refused file's problems (nothing was written)."""

    #: Every kind of file with its columns.
    kinds: tuple[KindHelp, ...]
    #: The kind chosen (kept after a refusal).
    kind: str
    #: A refused file's problems by line, row, column and value (nothing was written).
    problems: tuple[ImportProblem, ...] = ()

    @property
    def options(self) -> list[tuple[str, str]]:
        """The kind choices as (value, label), a prompt first."""
        return [("", "Choose…"), *((k.kind, k.kind.replace("-", " ").capitalize()) for k in self.kinds)]


def kinds() -> tuple[KindHelp, ...]:
    """Every kind of CSV file, in the order a new workshop imports them."""
    return tuple(KindHelp(k.value, *COLUMNS[k]) for k in ImportKind)


def problems_of(messages: list[str]) -> tuple[ImportProblem, ...]:
    """The import service's problem lines split into row, column and value where they name them."""
    found = []
    for message in messages:
        match = _PROBLEM.match(message)
        if match is None:
            line = re.match(r"^line (\d+): (.*)$", message, re.DOTALL)
            found.append(
                ImportProblem(int(line[1]), None, "", "", line[2])
                if line
                else ImportProblem(None, None, "", "", message)
            )
            continue
        found.append(
            ImportProblem(int(match[1]), int(match[2]) if match[2] else None, match[3], match[4], match[5])
        )
    return tuple(found)
