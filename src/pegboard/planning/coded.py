"""Texts kept with their coding: the distinct texts in order of first appearance, and each text's
index among them, as a kept plan stores its promises' order refs and SKUs (`planning.kept_plan`).

Coding a million texts means looking each one up; a column read back from a kept plan, or
joined from one and a few more texts (`planning.net_change`), carries its coding, so storing the
plan again codes only the texts added to it. The coding is the one `coding` computes from the
texts alone, so the stored bytes are the same either way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from pegboard.planning.segments import Ints
from pegboard.planning.values import objects


class CodedTexts(list[str]):
    """A list of texts that knows its coding: `distinct`, in order of first appearance, and
    `codes`, each text's index among them. Built once and never changed (as every column of a
    plan's promises). Texts gathered from a few values (`gathered`) work their coding out from
    the gathering's indexes, and only when it is first asked for."""

    __slots__ = ("_distinct", "_codes", "_gathering")

    def __init__(self, texts: Iterable[str], *, distinct: list[str], codes: Ints) -> None:
        super().__init__(texts)
        self._distinct: list[str] | None = distinct
        self._codes: Ints | None = codes
        self._gathering: tuple[Sequence[str], Ints] | None = None

    @classmethod
    def decoded(cls, distinct: list[str], codes: Ints) -> CodedTexts:
        """The texts these codes stand for."""
        return cls(objects(distinct, codes), distinct=distinct, codes=codes)

    @classmethod
    def gathered(cls, values: Sequence[str], index: Ints) -> CodedTexts:
        """`values[index]` (as a store reads order refs and SKUs: one per order or item, and each
        line's index among them); its coding is worked out when first asked for (`pack` of the
        plan, in its thread), from `index` rather than by looking a million texts up."""
        texts = cls((), distinct=[], codes=index)
        list.extend(texts, objects(values, index))
        texts._distinct, texts._codes, texts._gathering = None, None, (values, index)
        return texts

    @property
    def distinct(self) -> list[str]:
        return self._coding()[0]

    @property
    def codes(self) -> Ints:
        return self._coding()[1]

    def coded(self) -> bool:
        """Whether the coding is at hand (not still to be worked out from a gathering)."""
        return self._gathering is None

    def _coding(self) -> tuple[list[str], Ints]:
        if self._gathering is not None:
            values, index = self._gathering
            self._distinct, self._codes = _coding_of_gathering(self, values, index)
            self._gathering = None
        assert self._distinct is not None and self._codes is not None
        return self._distinct, self._codes


def coding(texts: Sequence[str], *, like: Sequence[str] | None = None) -> tuple[list[str], Ints]:
    """The distinct texts, in order of first appearance, and each text's index among them; when
    `like` is coded and holds the same texts (a kept plan's, and the lines did not change), its
    coding, found by comparing the texts instead of looking each one up."""
    if isinstance(texts, CodedTexts) and texts.coded():
        return texts.distinct, texts.codes
    if isinstance(like, CodedTexts) and isinstance(texts, list) and list.__eq__(like, texts):
        return like.distinct, like.codes
    if isinstance(texts, CodedTexts):
        return texts.distinct, texts.codes
    distinct = list(dict.fromkeys(texts))
    return distinct, _codes(texts, dict(zip(distinct, range(len(distinct)), strict=True)))


def joined(first: Sequence[str], second: Sequence[str]) -> list[str]:
    """The texts of `first`, then those of `second`: coded, by the first's coding extended with
    the second's new texts, when `first` is coded."""
    if not isinstance(first, CodedTexts):
        return [*first, *second]
    distinct = list(first.distinct)
    index = dict(zip(distinct, range(len(distinct)), strict=True))
    for text in dict.fromkeys(second):
        if text not in index:
            index[text] = len(distinct)
            distinct.append(text)
    codes = np.r_[first.codes.astype(np.int64), _codes(second, index)]
    return CodedTexts([*first, *second], distinct=distinct, codes=codes)


def flags(texts: Sequence[str], wanted: Collection[str]) -> NDArray[np.bool_]:
    """Per text, whether it is among `wanted`; each distinct text looked up once when coded."""
    if isinstance(texts, CodedTexts):
        return _flags(texts.distinct, wanted)[texts.codes]
    return _flags(texts, wanted)


def _flags(texts: Sequence[str], wanted: Collection[str]) -> NDArray[np.bool_]:
    return np.fromiter(map(wanted.__contains__, texts), dtype=np.bool_, count=len(texts))


def _codes(texts: Sequence[str], index: dict[str, int]) -> Ints:
    return np.fromiter(map(index.__getitem__, texts), dtype=np.int64, count=len(texts))


def _coding_of_gathering(texts: Sequence[str], values: Sequence[str], index: Ints) -> tuple[list[str], Ints]:
    """The coding of `texts`, which are `values[index]`: the indexes in order of first appearance
    stand for the distinct texts when the values they pick are distinct (else by the texts)."""
    index = np.asarray(index, dtype=np.int64)
    if len(index) == 0:
        return [], np.zeros(0, dtype=np.int64)
    if bool(np.all(index[1:] >= index[:-1])):
        # In order (the lines of one order come together): each run's first index is new.
        present = index[np.flatnonzero(np.r_[True, index[1:] != index[:-1]])]
    else:
        _, first = np.unique(index, return_index=True)
        present = index[np.sort(first)]
    distinct = [values[k] for k in present.tolist()]
    if len(set(distinct)) < len(distinct):
        found = list(dict.fromkeys(texts))
        return found, _codes(texts, dict(zip(found, range(len(found)), strict=True)))
    rank = np.zeros(int(index.max()) + 1, dtype=np.int64)
    rank[present] = np.arange(len(present), dtype=np.int64)
    return distinct, rank[index]
