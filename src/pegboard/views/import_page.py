"""The import page: which CSV kinds there are, with their columns, and a rejected file's problems."""

from __future__ import annotations

from dataclasses import dataclass

from pegboard.services.imports import COLUMNS, ImportKind


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


def import_page(*, chosen: str = "", problems: tuple[str, ...] = (), can_write: bool) -> ImportPage:
    """The page, kinds in the order files should be imported (suppliers before items, ...)."""
    kinds = tuple(KindColumns(kind.value, *COLUMNS[kind]) for kind in ImportKind)
    return ImportPage(kinds, chosen or ImportKind.SUPPLIERS.value, problems, can_write)
