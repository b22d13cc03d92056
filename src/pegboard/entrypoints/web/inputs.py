"""Reading what people type into the supply pages' forms: quantities and dates, with plain errors.

Only the shape of a value is checked here (a number, a date); whether it is allowed is the
services' business, and their refusals come back beside the same field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import Request

from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.web.forms import FieldError, FormData


def board(request: Request) -> Pegboard:
    """The app's wired Pegboard."""
    found: Pegboard = request.app.state.pegboard
    return found


def quantity_in(
    form: FormData, name: str, errors: list[FieldError], *, allow_zero: bool = False, required: bool = True
) -> Decimal | None:
    """The quantity typed in field `name`; an error is added (and None returned) when it is not one."""
    text = form.get(name)
    if not text:
        if required:
            errors.append(FieldError(name, "Enter a quantity"))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(FieldError(name, f"Enter the quantity as a number, like 2 or 1.5 (not {text[:20]!r})"))
        return None
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero):
        errors.append(
            FieldError(name, "Enter a quantity of 0 or more" if allow_zero else "Enter a quantity above 0")
        )
        return None
    return value


def date_in(form: FormData, name: str, errors: list[FieldError]) -> date | None:
    """The date typed in field `name` (YYYY-MM-DD, as a date input sends it); else an error."""
    text = form.get(name)
    if not text:
        errors.append(FieldError(name, "Enter a date"))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, f"Enter a real date, like 2027-03-12 (not {text[:20]!r})"))
        return None
