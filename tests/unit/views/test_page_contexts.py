"""Each supply page's template context is a frozen dataclass whose every field says what it holds."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from pegboard.views.backorders import BackordersPage
from pegboard.views.item_page import ItemPage
from pegboard.views.items import ItemsPage
from pegboard.views.plan_page import PlanPage
from pegboard.views.po_page import PoPage
from pegboard.views.production import MoPage, ProductionPage
from pegboard.views.purchasing import PurchasingPage
from pegboard.views.reports_page import ReportsPage
from pegboard.views.whatif import WhatIfPage

PAGES = (
    BackordersPage,
    ProductionPage,
    MoPage,
    PurchasingPage,
    PoPage,
    ItemsPage,
    ItemPage,
    PlanPage,
    ReportsPage,
    WhatIfPage,
)


def undocumented(cls: type) -> list[str]:
    """Fields with no `#:` comment line right above them."""
    lines = inspect.getsource(cls).splitlines()
    missing = []
    for f in dataclasses.fields(cls):
        at = next(k for k, line in enumerate(lines) if re.match(rf"\s+{f.name}:", line))
        if not lines[at - 1].strip().startswith("#:"):
            missing.append(f.name)
    return missing


@pytest.mark.parametrize("page", PAGES, ids=lambda cls: cls.__name__)
def test_a_page_context_is_frozen_and_documents_every_field(page: type) -> None:
    assert dataclasses.is_dataclass(page) and page.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert page.__doc__ and page.__doc__.strip()
    assert undocumented(page) == []
