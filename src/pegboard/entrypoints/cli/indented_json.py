"""`json.dumps(data, indent=2, default=str)`, the same text, written faster.

With `indent`, the standard library encodes every value in Python (its C encoder serves only
compact output): `pegboard plan --json` spent most of its time there at 55k promises. Here a
dict or list of plain values (no dict, list or tuple inside: a promise, a suggestion) goes
through the C encoder in one call, its separators carrying the newline and the indentation;
anything else is walked as the standard encoder walks it. A property test holds the two texts
equal (`tests/unit/cli/test_indented_json.py`).
"""

from __future__ import annotations

import json
from typing import Any

_INDENT = "  "
_CONTAINERS = (dict, list, tuple)


def dumps(value: Any) -> str:
    """The text `json.dumps(value, indent=2, default=str)` gives."""
    return _text(value, 0)


def _text(value: Any, level: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(k, str) for k in value):
            # Keys json turns into text (numbers, None, booleans): the standard walk, indented here.
            return _standard(value, level)
        inner = "\n" + _INDENT * (level + 1)
        if not any(isinstance(v, _CONTAINERS) for v in value.values()):
            return _flat("{", "}", value, inner, level)
        return _block("{", "}", [f"{json.dumps(k)}: {_text(v, level + 1)}" for k, v in value.items()], level)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + _INDENT * (level + 1)
        if not any(isinstance(v, _CONTAINERS) for v in value):
            return _flat("[", "]", value, inner, level)
        return _block("[", "]", [_text(v, level + 1) for v in value], level)
    return json.dumps(value, default=str)


def _block(opening: str, closing: str, items: list[str], level: int) -> str:
    inner = "\n" + _INDENT * (level + 1)
    return opening + inner + ("," + inner).join(items) + "\n" + _INDENT * level + closing


def _flat(opening: str, closing: str, value: Any, inner: str, level: int) -> str:
    """A dict or list of plain values in one C-encoder call: its item separator is the newline
    and indentation the standard encoder writes between items."""
    body = json.dumps(value, separators=("," + inner, ": "), default=str)
    return opening + inner + body[1:-1] + "\n" + _INDENT * level + closing


def _standard(value: Any, level: int) -> str:
    return json.dumps(value, indent=2, default=str).replace("\n", "\n" + _INDENT * level)
