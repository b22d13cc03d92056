"""JSON conventions: quantities as numbers, dates as YYYY-MM-DD."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from typing import Any

from pegboard.planning.values import plain_number


def number(value: Decimal | None) -> int | float | None:
    """A quantity as a JSON number: whole numbers as integers."""
    return None if value is None else plain_number(value)


def day(value: date | datetime | None) -> str | None:
    """A date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def indented_json(value: Any, pad: str = "") -> str:
    """`json.dumps(value, indent=2, default=str)`, built about twice as fast: the standard library
    indents in pure Python, one generator step per token, and a plan or a late supplier's what-if
    at L names hundreds of thousands of lines (BENCHMARKS.md, whatifl). Texts are escaped by its
    own C function."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None or value is True or value is False or isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, int):
        return int.__repr__(value)
    inner = pad + "  "
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join([inner + indented_json(v, inner) for v in value]) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_key(k)}: {indented_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return indented_json(str(value), pad)


def _key(key: Any) -> str:
    """A dict key as JSON writes it: always a text (a number, true, false or null made one)."""
    return encode_basestring_ascii(key if isinstance(key, str) else json.dumps(key))
