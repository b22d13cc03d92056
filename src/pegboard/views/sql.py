"""Small helpers of the read views: quantities read from SQL, dates in reasons put in words."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, type_coerce

from pegboard.adapters.db.types import ExactDecimal
from pegboard.views.wording import MONTHS


def units(expression: ColumnElement[Any]) -> ColumnElement[Decimal]:
    """A sum or difference of quantity columns, read back as a quantity (not raw micro-units)."""
    return type_coerce(expression, ExactDecimal())


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in_words(text: str, today: date) -> str:
    """The planner's reasons with their ISO dates written as people do: "7 December"."""

    def word(match: re.Match[str]) -> str:
        day = date(int(match[1]), int(match[2]), int(match[3]))
        short = f"{day.day} {MONTHS[day.month - 1]}"
        return short if day.year == today.year else f"{short} {day.year}"

    return _ISO_DAY.sub(word, text)
